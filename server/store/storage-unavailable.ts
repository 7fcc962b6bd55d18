/**
 * Storage cannot be reached (the database server is down or the network to it is cut). Routes
 * answer 503 for it (http/error-handler.ts): nothing was promised, and a page sent again with the
 * same idempotency key is accepted once, whether or not this attempt was stored.
 */
export class StorageUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`Klaxon cannot reach its database (${reason}).`);
    this.name = 'StorageUnavailableError';
  }
}
