import { pageEntityId, type Page } from '#common/index.js';
import type { SendAlertResult } from '../paging-backend.js';
import { errorGist, isObj, NO_REASON } from './wire.js';

/**
 * What On-Call's REST endpoint receives for a page. The entity_id makes a retry roll into the same
 * incident; the annotations show who asked, from which Klaxon client.
 */
export function alertBody(page: Page): Record<string, unknown> {
  const who = page.requester.email ? `${page.requester.name} <${page.requester.email}>` : page.requester.name;
  const details = page.details.trim() ? `${page.details}\n\n` : '';
  return {
    message_type: 'CRITICAL',
    entity_id: pageEntityId(page.id),
    entity_display_name: `Manual page by ${page.requester.name}: ${page.summary}`,
    state_message: `${details}Requested by ${who} using Klaxon (${page.client}) at ${page.createdAt}.`,
    state_start_time: Math.floor(Date.parse(page.createdAt) / 1000),
    monitoring_tool: 'klaxon',
    'vo_annotate.s.Requested by': who,
    'vo_annotate.s.Sent from': `Klaxon ${page.client}`,
    klaxon_page_id: page.id,
  };
}

/**
 * What On-Call's answer to an alert means. Both the HTTP status and `result` count (a 200 may
 * carry `result: failure`). Retryable: 429, 5xx, 404 (a wrong address or key, or a proxy glitch:
 * retrying costs little, giving up loses a page), and a 2xx we cannot read (the alert carries its own
 * `entity_id`, so a retry at worst rolls into the same incident). Not retryable: other 4xx and
 * `result: failure`, where resending the same body would fail the same way. An unknown routing key
 * is not an error here: On-Call sends such alerts to its default route (the target check reports it).
 */
export function alertOutcome(status: number, text: string, sentEntityId: unknown): SendAlertResult {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const ok = status >= 200 && status < 300;
  const result = isObj(json) && typeof json.result === 'string' ? json.result.toLowerCase() : null;
  const reason = errorGist(text) || NO_REASON;
  const failed = (retryable: boolean, error: string): SendAlertResult => ({ ok: false, retryable, status, error });
  if (ok && result === 'success') {
    const entityId =
      isObj(json) && typeof json.entity_id === 'string'
        ? json.entity_id
        : typeof sentEntityId === 'string'
          ? sentEntityId
          : '';
    return { ok: true, entityId };
  }
  if (ok && result === 'failure') return failed(false, `On-Call refused the alert: ${reason}.`);
  if (ok) return failed(true, 'On-Call answered with something Klaxon could not read; Klaxon will try again.');
  if (status === 429)
    return failed(true, 'On-Call is limiting how fast alerts are accepted (HTTP 429); Klaxon will try again.');
  if (status >= 500)
    return failed(true, `On-Call is having problems (HTTP ${status}: ${reason}); Klaxon will try again.`);
  if (status === 404) {
    // On-Call's own failure answer means it read the address and refused the key; anything else means
    // nothing that speaks On-Call's language answers there (a wrong base URL, or a proxy's page).
    return result === 'failure'
      ? failed(
          true,
          `On-Call did not accept the REST endpoint key (HTTP 404: ${reason}); the Klaxon operator should check oncall.restEndpointKey. Klaxon keeps trying.`,
        )
      : failed(
          true,
          'Nothing at the REST endpoint address knows this alert (HTTP 404); the Klaxon operator should check oncall.restEndpointBaseUrl. Klaxon keeps trying.',
        );
  }
  return failed(false, `On-Call refused the alert (HTTP ${status}: ${reason}).`);
}
