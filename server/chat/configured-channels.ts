import type { ServerConfig } from '../config/index.js';
import type { Logger } from '../runtime/logger.js';
import type { ChatChannel } from './chat-channel.js';
import { IrcChannel } from './irc-channel.js';
import { WebhookChannel } from './webhook-channel.js';

/** The chat channels `chat.irc` and `chat.webhooks` describe (none: nothing is announced). */
export function configuredChannels(
  chat: ServerConfig['chat'],
  opts: { logger: Logger; onIrcConnected?: (name: string, connected: boolean) => void },
): ChatChannel[] {
  return [
    ...chat.irc.map(
      (c) =>
        new IrcChannel(c, {
          logger: opts.logger,
          ...(opts.onIrcConnected ? { onConnected: opts.onIrcConnected } : {}),
        }),
    ),
    ...chat.webhooks.map((c) => new WebhookChannel(c)),
  ];
}
