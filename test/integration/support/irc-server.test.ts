// The test IRC server (test/support/irc-server.ts): ngIRCd starts on a loopback port, two clients
// in the channel hear each other, and it starts again on the same port after a stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IrcTestClient, startIrcServer, type RunningIrcServer } from '#test/support/irc-server.js';
import { waitFor } from '#test/support/wait-for.js';

describe('the test IRC server', () => {
  let irc: RunningIrcServer;
  beforeAll(async () => {
    irc = await startIrcServer({ channel: '#ops' });
  });
  afterAll(async () => irc?.close());

  it('relays a channel message between clients, and comes back on the same port after a restart', async () => {
    const a = new IrcTestClient(irc, '#ops', 'alpha');
    const b = new IrcTestClient(irc, '#ops', 'bravo');
    await a.connect();
    await b.connect();
    const { port } = irc;
    await irc.stop();
    await irc.start();
    expect(irc.port).toBe(port);
    await a.reconnect();
    await b.reconnect();
    // A raw PRIVMSG from alpha reaches bravo.
    a.say('hello from alpha');
    await waitFor('bravo hears alpha', () => b.said('hello from alpha').length === 1);
    expect(b.said('hello from alpha')[0]!.from).toBe('alpha');
    a.close();
    b.close();
  });
});
