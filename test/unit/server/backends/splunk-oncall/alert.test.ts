import { describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { alertBody, alertOutcome } from '#server/backends/splunk-oncall/alert.js';
import { errorGist } from '#server/backends/splunk-oncall/wire.js';
import * as build from '#test/support/builders.js';

const page: Page = build.page({
  id: '4f6c1d7e-1b0e-4c59-9d8c-6d9f0c2a9b11',
  summary: 'API 5xx spike',
  details: 'Error rate at 12%.',
  status: 'delivered',
  attempts: 1,
  deliveredAt: '2026-11-22T12:00:01.000Z',
});

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

describe("what On-Call's answer to an alert means", () => {
  it('says On-Call gave no reason when a failure carries no message, never raw JSON', () => {
    expect(alertOutcome(200, '{"result":"failure"}', 'klaxon/x')).toEqual({
      ok: false,
      retryable: false,
      status: 200,
      error: 'On-Call refused the alert: On-Call gave no reason.',
    });
    expect(alertOutcome(400, '{}', 'klaxon/x')).toMatchObject({
      error: 'On-Call refused the alert (HTTP 400: On-Call gave no reason).',
    });
    expect(alertOutcome(502, '', 'klaxon/x')).toMatchObject({
      retryable: true,
      error: 'On-Call is having problems (HTTP 502: On-Call gave no reason); Klaxon will try again.',
    });
  });

  it('keeps the words On-Call or a proxy gave', () => {
    expect(errorGist('{"message":"Missing fields: message_type"}')).toBe('Missing fields: message_type');
    expect(errorGist('{"error":"Authentication failed"}')).toBe('Authentication failed');
    expect(errorGist('no healthy upstream\n')).toBe('no healthy upstream');
    expect(errorGist('{"result":"failure","code":7}')).toBe('');
    expect(errorGist('[1,2]')).toBe('');
  });

  it('tells a wrong REST key from a wrong REST address on a 404, and never blames the routing key', () => {
    const key = alertOutcome(404, '{"result":"failure","message":"Unknown API key"}', 'klaxon/x');
    const url = alertOutcome(404, '<html>Not Found</html>', 'klaxon/x');
    expect(key).toMatchObject({ ok: false, retryable: true });
    expect(url).toMatchObject({ ok: false, retryable: true });
    if (!key.ok && !url.ok) {
      expect(key.error).toMatch(/oncall\.restEndpointKey/);
      expect(url.error).toMatch(/oncall\.restEndpointBaseUrl/);
      expect(`${key.error} ${url.error}`).not.toMatch(/routing key/);
    }
  });
});
