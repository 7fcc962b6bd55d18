import type { Announcement } from '../store/store.js';

/**
 * How one attempt to post ended, as far as the sender can tell:
 * - `sent`: the chat service has it;
 * - `not_sent`: it certainly did not go out (not connected, refused, an HTTP error answer), so a
 *   retry cannot show it twice;
 * - `unknown`: it may have gone out (the connection broke or timed out after the message was
 *   written). Only a channel that deduplicates (`resendSafe`) tries again.
 */
export type SendResult = { kind: 'sent' } | { kind: 'not_sent'; error: string } | { kind: 'unknown'; error: string };

/** One configured place announcements go to: an IRC channel or a chat webhook. */
export interface ChatChannel {
  /** `chat.irc[].name` / `chat.webhooks[].name`: the queue's key for this channel. */
  readonly name: string;
  /** Whether the service deduplicates a repeated message (Matrix transaction ids). */
  readonly resendSafe: boolean;
  /** Whether an attempt can be made now (IRC: connected and in the channel). */
  ready(): boolean;
  send(a: Announcement, timeoutMs: number): Promise<SendResult>;
  /** Connects where the channel keeps a connection; `onReady` is called each time it becomes ready. */
  start(onReady: () => void): void;
  stop(): Promise<void>;
}
