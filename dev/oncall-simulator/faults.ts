/**
 * On-Call's faults (the injection itself is `../simulator-kit/faults.ts`): what a real client meets
 * between it and On-Call, proxy 503s `no healthy upstream` and 500s, 429 throttling, truncated JSON.
 */
import { FaultInjector as KitFaultInjector, validateFaults as validateKitFaults } from '../simulator-kit/faults.js';
import type { AnsweredFault } from '../simulator-kit/faults.js';
import { json, type Reply } from '../simulator-kit/http-io.js';
import type { Faults } from './types.js';

type ErrorStatus = NonNullable<Faults['errorStatus']>;
const ERROR_STATUSES: readonly ErrorStatus[] = [500, 503];

export function validateFaults(f: unknown): Faults {
  return validateKitFaults(f, ERROR_STATUSES);
}

export class FaultInjector extends KitFaultInjector<ErrorStatus> {
  constructor(faults: Faults | undefined, random?: () => number) {
    // Without a set status, 503 and 500 in turn (503 first).
    super(faults, { statuses: ERROR_STATUSES, defaultStatus: (n) => (n % 2 === 0 ? 503 : 500) }, random);
  }

  /** What a faulted request answers, when it answers. */
  reply(fault: AnsweredFault): Reply {
    switch (fault) {
      case 'error': {
        const status = this.errorStatus();
        return status === 503 ? { status, text: 'no healthy upstream' } : { status, text: 'Internal Server Error' };
      }
      case 'rateLimit':
        return json(429, { message: 'Too Many Requests' });
      case 'malformed':
        return { status: 200, text: '{"incidents":[{"incidentNumber":"10', contentType: 'application/json' };
    }
  }
}
