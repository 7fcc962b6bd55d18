import type { ReactNode } from 'react';
import { useApi } from './api-context.js';

/**
 * A link from the server's configuration. In Klaxon desktop the renderer may not navigate, so the
 * click goes to the main process (`shell:open-external`), which opens it in the system handler.
 */
export function ExternalLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  const api = useApi();
  return (
    <a
      href={href}
      className={className}
      {...(href.startsWith('https:') ? { target: '_blank', rel: 'noopener noreferrer' } : {})}
      onClick={(e) => {
        if (api.kind === 'desktop') {
          e.preventDefault();
          void api.openExternal(href);
        }
      }}
    >
      {children}
    </a>
  );
}
