import { describe, expect, it } from 'vitest';
import { EventStreamParser, type RawServerSentEvent } from '#electron/event-stream-parser.js';

function parse(chunks: (string | Uint8Array)[]) {
  const out: RawServerSentEvent[] = [];
  const p = new EventStreamParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  return { out, p };
}

describe('text/event-stream parser', () => {
  it('reads id, event and multi-line data, and keeps the last id for resume', () => {
    const { out } = parse(['id: 7\nevent: snapshot\ndata: {"a":\ndata: 1}\n\n', 'event: heartbeat\ndata: {}\n\n']);
    expect(out).toEqual([
      { event: 'snapshot', data: '{"a":\n1}', lastEventId: '7' },
      { event: 'heartbeat', data: '{}', lastEventId: '7' },
    ]);
  });
  it('joins events split across chunks anywhere, including inside a UTF-8 character and a CRLF', () => {
    const bytes = new TextEncoder().encode('id: 1\r\ndata: "Grüße"\r\n\r\n');
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    const { out } = parse(chunks);
    expect(out).toEqual([{ event: 'message', data: '"Grüße"', lastEventId: '1' }]);
  });
  it('ignores comments (keep-alives), unknown fields and events without data; reads retry', () => {
    const { out, p } = parse([': keep-alive\n\nfoo: bar\nretry: 2500\n\nevent: x\n\n']);
    expect(out).toEqual([]);
    expect(p.retryMs).toBe(2500);
  });
  it('handles lone CR line endings', () => {
    const { out } = parse(['data: a\rdata: b\r\r']);
    expect(out).toEqual([{ event: 'message', data: 'a\nb', lastEventId: '' }]);
  });
});
