import { routePath, ServerEvent } from '#common/index.js';
import { normaliseFrame } from './web-state.js';

const EVENT_NAMES = ['snapshot', 'incident', 'page', 'heartbeat', 'session'] as const;

export interface EventStream {
  close(): void;
  /** Milliseconds since the last frame (or since opening), for the silent-stream watchdog. */
  silentForMs(): number;
}

/**
 * `GET /api/v1/events` as EventSource. Every frame counts as a sign of life; frames the contract
 * does not know are dropped. After `close()` nothing more is reported.
 */
export function openEventStream(handlers: {
  onAlive(): void;
  onEvent(e: ServerEvent): void;
  onLost(): void;
}): EventStream {
  const es = new EventSource(routePath('events'), { withCredentials: true });
  let closed = false;
  let lastFrameAt = Date.now();
  const onFrame = (name: string) => (e: MessageEvent<string>) => {
    if (closed) return;
    lastFrameAt = Date.now();
    handlers.onAlive();
    const parsed = ServerEvent.safeParse(normaliseFrame(name, e.lastEventId, e.data));
    if (parsed.success) handlers.onEvent(parsed.data);
  };
  for (const name of EVENT_NAMES) es.addEventListener(name, onFrame(name) as EventListener);
  es.onmessage = onFrame('message');
  es.onerror = () => {
    if (!closed) handlers.onLost();
  };
  return {
    close() {
      closed = true;
      es.close();
    },
    silentForMs: () => Date.now() - lastFrameAt,
  };
}
