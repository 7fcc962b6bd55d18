/**
 * A `text/event-stream` parser (WHATWG HTML §9.2.6) fed with raw chunks from a streaming HTTP
 * response. Written here rather than taken from EventSource because Electron's Node (22) has
 * EventSource only behind `--experimental-eventsource`, and because Klaxon needs to send a bearer
 * header, which EventSource cannot.
 */
export interface RawServerSentEvent {
  /** `event:` field; "message" when absent. */
  event: string;
  data: string;
  /** The last `id:` seen on the stream so far (ids persist across events, per the spec). */
  lastEventId: string;
}

export class EventStreamParser {
  private buffer = '';
  private decoder = new TextDecoder('utf-8');
  private eventType = '';
  private data: string[] = [];
  private lastEventId = '';
  /** Set when the server sent a `retry:` field (milliseconds). */
  retryMs: number | null = null;

  constructor(private readonly emit: (e: RawServerSentEvent) => void) {}

  /** The previous chunk ended in CR: an LF at the start of the next one belongs to that CRLF. */
  private skipLeadingLf = false;

  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    if (text.length > 0) this.skipLeadingLf = false;
    this.buffer += text;
    // A line ends at CRLF, LF or CR.
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) return;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.skipLeadingLf = true;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\u0000')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const type = this.eventType || 'message';
    const data = this.data.join('\n');
    const hadData = this.data.length > 0;
    this.eventType = '';
    this.data = [];
    if (!hadData) return;
    this.emit({ event: type, data, lastEventId: this.lastEventId });
  }
}
