import type { ServerConfig } from '../config/index.js';

/** false: no logs; true (default): JSON logs to stdout; an object: extra pino options (e.g. `{ stream }`). */
export type LogOption = boolean | object;

/** Never log credentials: headers are not logged, and the OAuth callback's query (the code) is cut. */
const requestSerializer = (req: { method: string; url: string; ip?: string }) => ({
  method: req.method,
  url: req.url.startsWith('/auth/callback') ? '/auth/callback' : req.url,
  remoteAddress: req.ip,
});

/** Fastify's `logger` option: pino at the configured level, with every token and cookie redacted. */
export function loggerOptions(config: ServerConfig, opt: LogOption = true): object | false {
  if (opt === false) return false;
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.access_token',
        '*.refresh_token',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: { req: requestSerializer },
    ...(typeof opt === 'object' ? opt : {}),
  };
}
