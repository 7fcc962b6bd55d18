import { ExternalLink } from './ExternalLink.js';

/**
 * When paging is right, in our own words: the rules the original Klaxon gave the people who could
 * page (wake SRE only for what cannot wait and SRE may not know yet; never put secrets in a page).
 * The one-line version is always visible; the rest unfolds, so the form still fits a small popover.
 */
export function EmergencyGuidance({ ticketUrl }: { ticketUrl: string | null }) {
  const ticket = ticketUrl ? (
    <ExternalLink href={ticketUrl}>file a ticket instead</ExternalLink>
  ) : (
    'file a ticket instead'
  );
  return (
    <div className="guidance" data-testid="guidance">
      <p>
        <strong>Page only for emergencies</strong> that need SRE now. If it can wait for working hours, {ticket}. Never
        include passwords or personal data.
      </p>
      <details>
        <summary>What counts as an emergency?</summary>
        <div className="guidance-body">
          <p>Page SRE for:</p>
          <ul>
            <li>an outage that hurts many users and that SRE does not know about yet;</li>
            <li>stolen or leaked credentials (shell accounts, or accounts with access to confidential data);</li>
            <li>a security hole that is being actively exploited on our sites.</li>
          </ul>
          <p>Do not page for:</p>
          <ul>
            <li>anything that can wait for working hours: {ticket};</li>
            <li>problems automated monitoring has already paged about (they are in the incident list);</li>
            <li>reaching someone who is not SRE.</li>
          </ul>
          <p className="privacy">
            Never put passwords, personal data (even your own IP address) or other confidential details in a page. Put
            them in a restricted ticket and give its number here.
          </p>
        </div>
      </details>
    </div>
  );
}
