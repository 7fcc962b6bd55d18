// `npm run server -- --config <file>`: starts the Klaxon server; SIGTERM/SIGINT close it gracefully.
import { parseArgs } from 'node:util';
import { ConfigError, loadServerConfig, startKlaxonServer } from './index.js';

const USAGE =
  'Usage: tsx server/main.ts [--config <file.yaml|file.json>]\nEnvironment overrides: see docs/server-config.md';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = args.values.config ?? process.env.KLAXON_CONFIG;
  let config;
  try {
    config = loadServerConfig({ ...(file ? { file } : {}), env: process.env });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`klaxon: configuration error: ${e.message}\n`);
      return 78; // EX_CONFIG
    }
    throw e;
  }
  let server;
  try {
    server = await startKlaxonServer(config, { ownsProcess: true });
  } catch (e) {
    // Port taken, database not writable: say what to change, without a stack trace.
    if (e instanceof ConfigError) {
      process.stderr.write(`klaxon: could not start: ${e.message}\n`);
      return 78; // EX_CONFIG
    }
    throw e;
  }
  process.stdout.write(`Klaxon server listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`klaxon: ${signal} received, shutting down\n`);
      server.close().then(resolve, (e: unknown) => {
        process.stderr.write(`klaxon: shutdown error: ${(e as Error).message}\n`);
        resolve();
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`klaxon: could not start: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
