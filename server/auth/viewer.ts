import type {} from 'fastify';

/** Who is making a request, as established by the auth guard (bearer token or web session). */
export interface Viewer {
  sub: string;
  name: string;
  email: string | null;
  groups: string[];
  /** Username for actions in the paging service (acknowledging) when known (preferred_username claim). */
  username: string | null;
  permissions: { view: boolean; page: boolean; acknowledge: boolean; audit: boolean };
  /** When the credential behind this request stops being valid (SSE streams end then). */
  expiresAt: Date | null;
  via: 'bearer' | 'session';
  client: 'desktop' | 'web' | 'api';
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: Viewer;
  }
}
