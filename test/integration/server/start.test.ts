// Start-up problems an operator can fix come out as one plain line naming the key to change.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig, startKlaxonServer } from '#server/index.js';
import { spawnServer, startStack, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let taken: Server;
let port: number;

beforeAll(async () => {
  stack = await startStack();
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => taken?.close(resolve));
  await stack?.close();
});

const configWith = (extra: Parameters<Stack['serverOverrides']>[0]) =>
  loadServerConfig({ env: {}, overrides: stack.serverOverrides(extra), warn: () => {} });

describe('start-up failures', () => {
  it('a port already in use names listen.port and its environment override', async () => {
    const err = await startKlaxonServer(configWith({ listen: { host: '127.0.0.1', port } }), { logger: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe('listen.port');
    expect((err as Error).message).toBe(
      `listen.port: port ${port} on 127.0.0.1 is already in use by another program; stop that program or choose another port with listen.port (KLAXON_LISTEN_PORT).`,
    );
  });

  it('a database that cannot be opened names storage.sqlitePath and what to check', async () => {
    // A regular file where the folder should be: not creatable, even for root.
    const blocker = path.join(stack.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const err = await startKlaxonServer(configWith({ storage: { sqlitePath: path.join(blocker, 'klaxon.db') } }), {
      logger: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe('storage.sqlitePath');
    expect((err as Error).message).toMatch(
      /^storage\.sqlitePath: Klaxon cannot open its database ".*not-a-folder\/klaxon\.db"/,
    );
    expect((err as Error).message).toMatch(/check the folder exists and the server user can write to it/);
  });

  it(
    'server/main.ts prints the reason on one line, without a stack, and exits with 78',
    { timeout: 40_000 },
    async () => {
      const err = await spawnServer(stack, { listen: { host: '127.0.0.1', port } }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      const m = /^server exited with (\d+): ([\s\S]*)$/.exec((err as Error).message);
      expect(m?.[1]).toBe('78');
      const stderr = m![2]!
        .trim()
        .split('\n')
        .filter((l) => !l.includes('warning'));
      expect(stderr).toEqual([
        `klaxon: could not start: listen.port: port ${port} on 127.0.0.1 is already in use by another program; stop that program or choose another port with listen.port (KLAXON_LISTEN_PORT).`,
      ]);
    },
  );
});
