import { pageEntityId, type Page } from '#common/index.js';
import type { SendAlertResult } from '../paging-backend.js';
import { errorGist, isObj } from './wire.js';

/** PagerDuty cuts `payload.summary` at 1024 characters (docs/pagerduty.md#events-api-v2). */
const SUMMARY_MAX = 1024;

/**
 * The Events API v2 trigger for a page. `dedup_key` is the page's entity id, so a retried delivery
 * adds to the incident the first attempt opened instead of opening a second one; `custom_details`
 * carry who asked and what they wrote; `client`/`client_url` lead a responder back to Klaxon.
 */
export function triggerEvent(page: Page, routingKey: string, klaxonUrl: string | null): Record<string, unknown> {
  const who = page.requester.email ? `${page.requester.name} <${page.requester.email}>` : page.requester.name;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: pageEntityId(page.id),
    payload: {
      summary: `Manual page by ${page.requester.name}: ${page.summary}`.slice(0, SUMMARY_MAX),
      source: 'klaxon',
      severity: 'critical',
      timestamp: page.createdAt,
      class: 'manual page',
      custom_details: {
        requested_by: who,
        details: page.details,
        sent_from: `Klaxon ${page.client}`,
        klaxon_page_id: page.id,
      },
    },
    client: 'Klaxon',
    ...(klaxonUrl ? { client_url: klaxonUrl } : {}),
  };
}

/**
 * What the Events API's answer to a trigger means. 202 `success`: accepted (asynchronously: the
 * incident appears later, found by its dedup key). Retryable: 429, 5xx, 404 (a wrong address or a
 * proxy glitch: retrying costs little, giving up loses a page) and a 2xx we cannot read (the dedup key
 * rolls a retry into the same incident). Not retryable: 400, whose body says what is wrong with the
 * event (an integration key of the wrong length, most often), and other 4xx.
 */
export function eventOutcome(status: number, text: string, sentDedupKey: unknown): SendAlertResult {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const reason = errorGist(text) || 'PagerDuty gave no reason';
  const failed = (retryable: boolean, error: string): SendAlertResult => ({ ok: false, retryable, status, error });
  if (status >= 200 && status < 300) {
    if (isObj(json) && json.status === 'success') {
      const key =
        typeof json.dedup_key === 'string' ? json.dedup_key : typeof sentDedupKey === 'string' ? sentDedupKey : '';
      return { ok: true, entityId: key };
    }
    return failed(true, 'PagerDuty answered with something Klaxon could not read; Klaxon will try again.');
  }
  if (status === 429)
    return failed(true, 'PagerDuty is limiting how fast events are accepted (HTTP 429); Klaxon will try again.');
  if (status >= 500)
    return failed(true, `PagerDuty is having problems (HTTP ${status}: ${reason}); Klaxon will try again.`);
  if (status === 404)
    return failed(
      true,
      'Nothing at the Events API address knows this event (HTTP 404); the Klaxon operator should check pagerduty.eventsUrl. Klaxon keeps trying.',
    );
  if (status === 400)
    return failed(
      false,
      `PagerDuty refused the page (HTTP 400: ${reason}); the Klaxon operator should check the target's integration key (targets[].routingKey).`,
    );
  return failed(false, `PagerDuty refused the page (HTTP ${status}: ${reason}).`);
}
