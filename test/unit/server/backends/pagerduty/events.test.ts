import { describe, expect, it } from 'vitest';
import { eventOutcome, triggerEvent } from '#server/backends/pagerduty/events.js';
import { page } from '#test/support/builders.js';

const p = page({
  id: '4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  summary: 'API 5xx spike',
  details: 'Error rate at 12%.',
  client: 'desktop',
  target: { id: 'pd-sre', label: 'SRE on PagerDuty' },
});

describe('the Events API v2 trigger for a page', () => {
  it('is critical, keyed by the page id (so a retry joins the open alert), and says who asked and where to go back', () => {
    expect(triggerEvent(p, 'klaxondemosreintegrationkey00001', 'https://klaxon.example.org/')).toEqual({
      routing_key: 'klaxondemosreintegrationkey00001',
      event_action: 'trigger',
      dedup_key: 'klaxon/4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
      payload: {
        summary: 'Manual page by Alice Andersen: API 5xx spike',
        source: 'klaxon',
        severity: 'critical',
        timestamp: p.createdAt,
        class: 'manual page',
        custom_details: {
          requested_by: 'Alice Andersen <alice@klaxon.test>',
          details: 'Error rate at 12%.',
          sent_from: 'Klaxon desktop',
          klaxon_page_id: p.id,
        },
      },
      client: 'Klaxon',
      client_url: 'https://klaxon.example.org/',
    });
  });

  it('is the same event on every attempt, and leaves client_url out until the server knows its address', () => {
    expect(triggerEvent(p, 'k'.repeat(32), null)).toEqual(triggerEvent(p, 'k'.repeat(32), null));
    expect(triggerEvent(p, 'k'.repeat(32), null)).not.toHaveProperty('client_url');
  });

  it('keeps the summary within PagerDuty’s 1024 characters', () => {
    const long = triggerEvent(page({ summary: 'x'.repeat(2000) }), 'k'.repeat(32), null);
    expect((long.payload as { summary: string }).summary).toHaveLength(1024);
  });
});

describe('what the Events API answer means for delivery', () => {
  it('202 success is delivered, with the dedup key as the entity id', () => {
    expect(
      eventOutcome(202, '{"status":"success","message":"Event processed","dedup_key":"klaxon/1"}', 'klaxon/1'),
    ).toEqual({ ok: true, entityId: 'klaxon/1' });
  });

  it('retries 429, 5xx, 404 and an unreadable 2xx; gives up on 400 naming the key to check', () => {
    for (const [status, text] of [
      [429, ''],
      [503, 'Service Unavailable'],
      [404, ''],
      [202, '{"status":"succ'],
    ] as const)
      expect(eventOutcome(status, text, 'klaxon/1'), String(status)).toMatchObject({ ok: false, retryable: true });
    const refused = eventOutcome(
      400,
      '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect (should be 32 characters)"]}',
      'klaxon/1',
    );
    expect(refused).toMatchObject({ ok: false, retryable: false, status: 400 });
    expect((refused as { error: string }).error).toMatch(/targets\[\]\.routingKey/);
  });
});
