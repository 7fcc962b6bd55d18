/**
 * PagerDuty's faults (the injection itself is `../simulator-kit/faults.ts`): 500 with PagerDuty's
 * error body, 502/503 from a proxy, 429 with PagerDuty's rate-limit answer, truncated JSON; each
 * in the Events API's or the REST API's form, by path.
 */
import { FaultInjector as KitFaultInjector, validateFaults as validateKitFaults } from '../simulator-kit/faults.js';
import type { AnsweredFault } from '../simulator-kit/faults.js';
import { json, type Reply } from '../simulator-kit/http-io.js';
import { EVENTS_PATH, EVENTS_THROTTLED_BODY } from './events-api.js';
import type { Faults } from './types.js';

type ErrorStatus = NonNullable<Faults['errorStatus']>;
const ERROR_STATUSES: readonly ErrorStatus[] = [500, 502, 503];

export function validateFaults(f: unknown): Faults {
  return validateKitFaults(f, ERROR_STATUSES);
}

export class FaultInjector extends KitFaultInjector<ErrorStatus> {
  constructor(faults: Faults | undefined, random?: () => number) {
    super(faults, { statuses: ERROR_STATUSES, defaultStatus: () => 500 }, random);
  }

  /** What a faulted request to `path` answers, when it answers. */
  reply(fault: AnsweredFault, path: string): Reply {
    const events = path === EVENTS_PATH;
    switch (fault) {
      case 'error': {
        const status = this.errorStatus();
        if (status !== 500) return { status, text: status === 502 ? 'Bad Gateway' : 'Service Unavailable' };
        return events
          ? json(500, { status: 'error', message: 'Internal Server Error', errors: [] })
          : json(500, {
              error: {
                message: 'An internal error has occurred. PagerDuty team has been notified.',
                code: 2000,
                errors: [],
              },
            });
      }
      case 'rateLimit':
        return events
          ? json(429, EVENTS_THROTTLED_BODY)
          : json(
              429,
              { error: { message: 'Rate Limit Exceeded', code: 2020 } },
              { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
            );
      case 'malformed':
        return {
          status: events ? 202 : 200,
          text: events ? '{"status":"succ' : '{"incidents":[{"id":"P',
          contentType: 'application/json',
        };
    }
  }
}
