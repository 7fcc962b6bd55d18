import { useEffect, useRef } from 'react';
import { AccessReviewSection } from './AccessReviewSection.js';
import { AuditLogSection } from './AuditLogSection.js';

/**
 * The auditors' view (web UI, `groups.audit`), in place of the home screen: the audit log with
 * filters, more entries on demand and downloads, then the access review.
 */
export function AuditScreen({ onClose }: { onClose(): void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  return (
    <section className="audit" aria-labelledby="audit-title" data-testid="audit">
      <div className="settings-head">
        <h2 id="audit-title" ref={headingRef} tabIndex={-1}>
          Audit
        </h2>
        <button type="button" className="ghost small" onClick={onClose}>
          Back
        </button>
      </div>
      <AuditLogSection />
      <AccessReviewSection />
    </section>
  );
}
