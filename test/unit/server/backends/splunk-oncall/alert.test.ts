import { describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { alertBody } from '#server/backends/splunk-oncall/alert.js';

const page: Page = {
  id: '4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  requester: { sub: 'alice', name: 'Alice Andersen', email: 'alice@klaxon.test' },
  summary: 'API 5xx spike',
  details: 'Error rate at 12%.',
  target: { id: 'sre', label: 'SRE on call' },
  client: 'desktop',
  status: 'delivered',
  attempts: 1,
  lastError: null,
  nextAttemptAt: null,
  gaveUpAt: null,
  incidentNumber: null,
  ackedBy: null,
  ackedAt: null,
  createdAt: '2026-11-22T12:00:00.000Z',
  updatedAt: '2026-11-22T12:00:00.000Z',
  deliveredAt: '2026-11-22T12:00:01.000Z',
};

describe('the alert sent to On-Call', () => {
  it('is CRITICAL with the page entity id, who asked and from which client', () => {
    expect(alertBody(page)).toEqual({
      message_type: 'CRITICAL',
      entity_id: 'klaxon/4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
      entity_display_name: 'Manual page by Alice Andersen: API 5xx spike',
      state_message:
        'Error rate at 12%.\n\nRequested by Alice Andersen <alice@klaxon.test> using Klaxon (desktop) at 2026-11-22T12:00:00.000Z.',
      state_start_time: 1795348800,
      monitoring_tool: 'klaxon',
      'vo_annotate.s.Requested by': 'Alice Andersen <alice@klaxon.test>',
      'vo_annotate.s.Sent from': 'Klaxon desktop',
      klaxon_page_id: page.id,
    });
  });
});
