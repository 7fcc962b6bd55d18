/**
 * PostgreSQL advisory locks Klaxon takes, all in one namespace (the first key of the two-key form),
 * so they cannot collide with another application's locks on a shared server, nor with each other.
 * Keys are stable: replicas of different releases must agree on them.
 */
export const KLAXON_LOCK_SPACE = 0x4b4c5831; // "KLX1"

export const LOCK = {
  /** Held while migrations run at start: replicas starting together apply them once. */
  migrations: 1,
  /** Held while a starting replica compares its configuration with the running ones (replica-registry.ts). */
  replicas: 2,
  /** Held by the leader for as long as it leads, on its own connection (server/cluster/leadership.ts). */
  leader: 3,
  /** Taken by every transaction that writes the event journal, right before it commits (server/cluster/schema.ts). */
  journal: 4,
} as const;

/**
 * A second namespace for per-person transaction locks (`pg_advisory_xact_lock(space, hashtext(sub))`):
 * one person's accepts are serialised across replicas, so the idempotency check and the rate limit
 * see each other's pages.
 */
export const PERSON_LOCK_SPACE = 0x4b4c5832; // "KLX2"

/**
 * A third namespace for per-channel transaction locks on the chat announcement queue
 * (`pg_advisory_xact_lock(space, hashtext(channel))`): one claim of a channel at a time across
 * replicas, so an announcement is claimed once and a channel's announcements go out in order.
 */
export const CHANNEL_LOCK_SPACE = 0x4b4c5833; // "KLX3"
