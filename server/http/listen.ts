import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type ServerConfig } from '../config/index.js';

/**
 * Starts listening on the configured address and returns the server's URL. Failures an operator
 * can fix (port taken, address not of this machine) become a ConfigError naming the key to change,
 * instead of raw errno text and a stack.
 */
export async function listen(
  app: FastifyInstance,
  where: ServerConfig['listen'],
  key: 'listen' | 'metrics.listen' = 'listen',
): Promise<string> {
  try {
    await app.listen({ host: where.host, port: where.port });
  } catch (e) {
    throw listenError(e, where, key);
  }
  return listenUrl(app);
}

/** The URL this machine reaches the listening server at (0.0.0.0 is reached as 127.0.0.1). */
export function listenUrl(app: FastifyInstance): string {
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
}

/** Explains why listening failed; errors it does not recognise are returned unchanged. */
function listenError(e: unknown, listen: ServerConfig['listen'], key: 'listen' | 'metrics.listen'): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = `${listen.host}:${listen.port}`;
  // The main address has environment overrides; the metrics address is set in the file only.
  const env = (v: string) => (key === 'listen' ? ` (${v})` : '');
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `${key}.port: port ${listen.port} on ${listen.host} is already in use by another program; stop that program or choose another port with ${key}.port${env('KLAXON_LISTEN_PORT')}.`,
      `${key}.port`,
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(
      `${key}.port: this user may not listen on ${where} (ports below 1024 need extra privileges); choose a port of 1024 or more with ${key}.port${env('KLAXON_LISTEN_PORT')} and put a reverse proxy in front.`,
      `${key}.port`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(
      `${key}.host: "${listen.host}" is not an address of this machine; set ${key}.host${env('KLAXON_LISTEN_HOST')} to one of its addresses, 127.0.0.1, or 0.0.0.0 for all.`,
      `${key}.host`,
    );
  }
  return e;
}
