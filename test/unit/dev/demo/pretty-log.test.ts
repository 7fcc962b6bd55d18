import { describe, expect, it } from 'vitest';
import { reminderText } from '#dev/demo/demo-text.js';
import { createDemoLog, formatLogLine } from '#dev/demo/pretty-log.js';
import { ManualClock } from '#test/support/manual-clock.js';

// `npm start` shows the server's pino JSON as short lines a person can read, without the traffic,
// and keeps the way in (URLs, accounts) at the bottom of the terminal.
const at = new Date(2026, 10, 22, 14, 5, 12).getTime();
const pino = (o: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: at, pid: 4242, hostname: 'laptop', ...o });

describe('formatLogLine', () => {
  it('turns a pino line into time, level, message and its own fields', () => {
    expect(
      formatLogLine(pino({ level: 40, msg: 'page delivery failed; retrying', attempts: 2, reason: 'HTTP 503' })),
    ).toBe('14:05:12 WARN  page delivery failed; retrying · attempts=2 reason="HTTP 503"');
    expect(formatLogLine(pino({ msg: 'Klaxon server listening', url: 'http://127.0.0.1:8787' }))).toBe(
      '14:05:12 INFO  Klaxon server listening · url=http://127.0.0.1:8787',
    );
    expect(
      formatLogLine(pino({ level: 50, msg: 'request failed', reqId: 'req-1', err: { message: 'boom', stack: 'x' } })),
    ).toBe('14:05:12 ERROR request failed · err=boom');
  });

  it('leaves out per-request lines and empty ones; anything that is not JSON stays as it is', () => {
    expect(formatLogLine(pino({ msg: 'incoming request', reqId: 'req-1', req: { method: 'GET' } }))).toBeNull();
    expect(formatLogLine(pino({ msg: 'request completed', res: { statusCode: 200 } }))).toBeNull();
    expect(formatLogLine('   ')).toBeNull();
    expect(formatLogLine('[oncall-simulator] listening')).toBe('[oncall-simulator] listening');
  });

  it('cuts long values short', () => {
    const line = formatLogLine(pino({ msg: 'x', detail: 'y'.repeat(500) }))!;
    expect(line.length).toBeLessThan(160);
    expect(line).toMatch(/y…$/);
  });
});

describe('the demo log', () => {
  const reminder = reminderText('http://127.0.0.1:8787', [
    { username: 'alice' },
    { username: 'bob' },
    { username: 'eve' },
  ]);

  it('reminds of the URL and the accounts once the log goes quiet, not in between', async () => {
    expect(reminder).toBe(
      '— Klaxon demo: web UI http://127.0.0.1:8787/ · sign in as alice, bob or eve (password = name) · Ctrl+C stops everything —',
    );
    const clock = new ManualClock(at);
    const printed: string[] = [];
    const log = createDemoLog({ print: (l) => printed.push(l), reminder, timers: clock });
    log.write(`${pino({ msg: 'page accepted', pageId: 'p1' })}\n${pino({ msg: 'page delivered to On-Call' })}\n`);
    await clock.advance(2000);
    expect(printed).toHaveLength(2);
    await clock.advance(1000);
    expect(printed.at(-1)).toBe(reminder);
    await clock.advance(60_000);
    expect(printed.filter((l) => l === reminder)).toHaveLength(1);
  });

  it('shows a repeating message once per half minute, then how many more there were', async () => {
    const clock = new ManualClock(at);
    const printed: string[] = [];
    const log = createDemoLog({ print: (l) => printed.push(l), reminder, timers: clock, quietMs: 60_000 });
    const failing = `${pino({ level: 40, msg: 'On-Call incident poll failed; serving the last snapshot', failures: 1 })}\n`;
    for (let i = 0; i < 6; i++) {
      log.write(failing);
      await clock.advance(5000);
    }
    expect(printed).toHaveLength(1);
    log.write(failing);
    expect(printed).toHaveLength(2);
    expect(printed[1]).toMatch(
      /WARN {2}On-Call incident poll failed; serving the last snapshot · failures=1 \(5 more like it since 14:05:12\)$/,
    );
    log.stop();
  });

  it('joins a line split across writes, and prints no reminder once the demo is stopping', async () => {
    const clock = new ManualClock(at);
    const printed: string[] = [];
    const log = createDemoLog({ print: (l) => printed.push(l), reminder, timers: clock });
    const line = pino({ msg: 'web sign-in', sub: 'alice' });
    log.write(line.slice(0, 20));
    log.write(`${line.slice(20)}\n`);
    expect(printed).toEqual(['14:05:12 INFO  web sign-in · sub=alice']);
    log.stop();
    log.write(`${pino({ msg: 'closing' })}\n`);
    await clock.advance(10_000);
    expect(printed).toEqual(['14:05:12 INFO  web sign-in · sub=alice', '14:05:12 INFO  closing']);
  });
});
