/**
 * The logger every server module takes: the slice of pino's API Klaxon uses, so Fastify's `app.log`
 * fits as it is and tests can pass a recording logger.
 */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
