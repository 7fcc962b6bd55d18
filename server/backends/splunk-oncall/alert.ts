import { pageEntityId, type Page } from '#common/index.js';

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
