import { Socket } from 'node:net';
import type { ServerConfigOverrides } from '#server/index.js';

/** Where the demo looks for an IRC server someone runs on this machine (e.g. Debian's ngircd). */
export const DEMO_IRC = { host: '127.0.0.1', port: 6667, channel: '#klaxon' } as const;

/** Whether something accepts connections on the demo's IRC address (a quick look: 300 ms at most). */
export function ircServerPresent(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(300, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.connect(DEMO_IRC.port, DEMO_IRC.host);
  });
}

/** The demo's chat settings when an IRC server is present: pages announced in #klaxon, in clear (loopback). */
export const demoIrcOverrides: ServerConfigOverrides = {
  chat: {
    irc: [{ name: 'demo-irc', host: DEMO_IRC.host, port: DEMO_IRC.port, tls: false, channel: DEMO_IRC.channel }],
  },
};

/** How to watch the channel, printed by the demo (or how to get a channel, when there is no IRC server). */
export function ircText(present: boolean): string {
  const where = `${DEMO_IRC.host}:${DEMO_IRC.port}`;
  return present
    ? [
        `Chat: pages, incidents and acknowledgements are announced on the IRC server at ${where} in ${DEMO_IRC.channel}.`,
        `  watch it with any IRC client, e.g.  irssi -c ${DEMO_IRC.host} -p ${DEMO_IRC.port} -n watcher   then  /join ${DEMO_IRC.channel}`,
      ].join('\n')
    : `Chat: no IRC server at ${where}, so pages are not announced (start one, e.g. Debian's ngircd, and restart the demo to see them in ${DEMO_IRC.channel}).`;
}
