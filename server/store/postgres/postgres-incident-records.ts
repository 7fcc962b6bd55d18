import type pg from 'pg';
import { checkFence, type LeaderFence } from '../../cluster/leadership.js';
import type {
  Announcement,
  AnnouncementCounts,
  AnnouncementOutcome,
  AuditEntry,
  EscalationRecord,
  EscalationStatus,
  KlaxonAck,
  NewAnnouncement,
} from '../store.js';
import {
  ESCALATION_COLUMNS,
  incidentRecordRows,
  type AckRowOf,
  type EscalationRowOf,
} from '../incident-record-rows.js';
import { ANNOUNCEMENT_OUTCOME_UNKNOWN, ANNOUNCEMENT_RETENTION_MS } from '../announcement-rules.js';
import { CHANNEL_LOCK_SPACE } from './advisory-locks.js';

/**
 * The PostgreSQL side of what the SQLite store keeps in `sqlite-incident-records.ts` and its
 * announcement queue: acknowledgements made in Klaxon, escalations (one per incident, ever: the
 * primary key decides across replicas) and chat announcements (claimed under a per-channel lock, so
 * each goes out once and in order whichever replica's chat worker asks). Functions over a client the
 * store passes in, inside its transactions.
 */

type Client = Pick<pg.ClientBase, 'query'>;

const ANNOUNCEMENT = 'id, channel, event_key, text, resend_safe, created_at, attempts, next_attempt_at, lease_until';

interface AnnouncementRow {
  id: string;
  channel: string;
  event_key: string;
  text: string;
  resend_safe: boolean;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
}

const recordRows = incidentRecordRows<Date>(
  (d) => d,
  (d) => d,
);

const toAnnouncement = (r: AnnouncementRow): Announcement => ({
  id: Number(r.id),
  channel: r.channel,
  key: r.event_key,
  text: r.text,
  resendSafe: r.resend_safe,
  createdAt: r.created_at,
  attempts: r.attempts,
});

export async function insertAudit(c: Client, a: AuditEntry): Promise<void> {
  await c.query(
    'INSERT INTO audit_log (at, actor_sub, actor_name, actor_groups, action, page_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [a.at, a.actorSub, a.actorName, a.actorGroups ?? null, a.action, a.pageId, JSON.stringify(a.detail)],
  );
}

export async function recordAck(c: Client, a: KlaxonAck): Promise<void> {
  await c.query(
    'INSERT INTO klaxon_acks (incident_number, person_sub, person_name, sent_as, at) VALUES ($1, $2, $3, $4, $5)',
    [a.incidentNumber, a.personSub, a.personName, a.sentAs, a.at],
  );
}

export async function acksSince(c: Client, since: Date): Promise<KlaxonAck[]> {
  const { rows } = await c.query<AckRowOf<Date>>(
    'SELECT incident_number, person_sub, person_name, sent_as, at FROM klaxon_acks WHERE at >= $1 ORDER BY at, id',
    [since],
  );
  return rows.map(recordRows.ack);
}

/** Claims the incident's one escalation; with `fence`, refused (FencedOut) once another replica leads. */
export async function claimEscalation(
  c: Client,
  e: EscalationRecord,
  audit: AuditEntry,
  fence: LeaderFence | undefined,
): Promise<boolean> {
  if (fence) await checkFence(c, fence);
  const { rowCount } = await c.query(
    `INSERT INTO escalations (${ESCALATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (incident_number) DO NOTHING`,
    recordRows.values(e),
  );
  if (rowCount !== 1) return false;
  await insertAudit(c, audit);
  return true;
}

export async function settleEscalation(
  c: Client,
  incidentNumber: string,
  outcome: { status: Exclude<EscalationStatus, 'sending'>; message: string | null; at: Date },
  audit: AuditEntry,
  fence: LeaderFence | undefined,
): Promise<EscalationRecord | null> {
  if (fence) await checkFence(c, fence);
  const { rows } = await c.query<EscalationRowOf<Date>>(
    `UPDATE escalations SET status = $1, message = $2, updated_at = $3 WHERE incident_number = $4 RETURNING ${ESCALATION_COLUMNS}`,
    [outcome.status, outcome.message, outcome.at, incidentNumber],
  );
  if (!rows[0]) return null;
  await insertAudit(c, audit);
  return recordRows.escalation(rows[0]);
}

export async function releaseEscalation(c: Client, incidentNumber: string, audit: AuditEntry): Promise<void> {
  await c.query("DELETE FROM escalations WHERE incident_number = $1 AND status = 'sending'", [incidentNumber]);
  await insertAudit(c, audit);
}

export async function escalationsSince(c: Client, since: Date): Promise<EscalationRecord[]> {
  const { rows } = await c.query<EscalationRowOf<Date>>(
    `SELECT ${ESCALATION_COLUMNS} FROM escalations WHERE created_at >= $1 ORDER BY created_at`,
    [since],
  );
  return rows.map(recordRows.escalation);
}

/** Queues announcements; one already queued (or sent) for its channel and key is ignored. */
export async function insertAnnouncements(c: Client, items: readonly NewAnnouncement[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await c.query(
    `INSERT INTO announcements (channel, event_key, text, resend_safe, created_at, next_attempt_at)
     SELECT a.channel, a.event_key, a.text, a.resend_safe, $5, $5
     FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS a (channel, event_key, text, resend_safe)
     ON CONFLICT (channel, event_key) DO NOTHING`,
    [
      items.map((a) => a.channel),
      items.map((a) => a.key),
      items.map((a) => a.text),
      items.map((a) => a.resendSafe),
      now,
    ],
  );
}

/**
 * The SQLite store's claim, under a transaction lock on the channel: replicas claiming the same
 * channel take turns (each sees the other's leases once it has the lock), so no announcement is
 * claimed twice and a waiting retry still holds back the later ones.
 */
export async function claimAnnouncements(
  c: Client,
  channel: string,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<{ claimed: Announcement[]; abandoned: Announcement[] }> {
  await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CHANNEL_LOCK_SPACE, channel]);
  const abandoned = (
    await c.query<AnnouncementRow>(
      `UPDATE announcements SET failed_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
       WHERE channel = $3 AND sent_at IS NULL AND failed_at IS NULL AND sending_at IS NOT NULL AND NOT resend_safe
       AND lease_until < $1 RETURNING ${ANNOUNCEMENT}`,
      [now, ANNOUNCEMENT_OUTCOME_UNKNOWN, channel],
    )
  ).rows
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map(toAnnouncement);
  const waiting = (
    await c.query<AnnouncementRow>(
      `SELECT ${ANNOUNCEMENT} FROM announcements WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL
       ORDER BY id LIMIT $2`,
      [channel, limit],
    )
  ).rows;
  const t = now.getTime();
  const ids: string[] = [];
  // Queue order: the first one not due yet (a retry waiting, or leased by another) stops the claim.
  for (const r of waiting) {
    if (r.next_attempt_at.getTime() > t || (r.lease_until !== null && r.lease_until.getTime() >= t)) break;
    ids.push(r.id);
  }
  if (ids.length === 0) return { claimed: [], abandoned };
  const { rows } = await c.query<AnnouncementRow>(
    `UPDATE announcements SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, sending_at = NULL
     WHERE id = ANY($3::bigint[]) RETURNING ${ANNOUNCEMENT}`,
    [owner, new Date(t + leaseMs), ids],
  );
  return { claimed: rows.sort((a, b) => Number(a.id) - Number(b.id)).map(toAnnouncement), abandoned };
}

export async function startSendingAnnouncement(c: Client, id: number, owner: string, now: Date): Promise<boolean> {
  const { rowCount } = await c.query(
    `UPDATE announcements SET sending_at = $1 WHERE id = $2 AND lease_owner = $3 AND lease_until > $1
     AND sent_at IS NULL AND failed_at IS NULL`,
    [now, id, owner],
  );
  return rowCount === 1;
}

export async function finishAnnouncement(
  c: Client,
  id: number,
  owner: string,
  outcome: AnnouncementOutcome,
): Promise<boolean> {
  const { rowCount } =
    outcome.kind === 'sent'
      ? await c.query(
          'UPDATE announcements SET sent_at = $1, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3',
          [outcome.at, id, owner],
        )
      : outcome.kind === 'retry'
        ? await c.query(
            `UPDATE announcements SET next_attempt_at = $1, last_error = $2, sending_at = NULL, lease_owner = NULL, lease_until = NULL
             WHERE id = $3 AND lease_owner = $4`,
            [outcome.at, outcome.error, id, owner],
          )
        : await c.query(
            'UPDATE announcements SET failed_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4',
            [outcome.at, outcome.error, id, owner],
          );
  if (outcome.kind === 'sent') {
    const old = new Date(outcome.at.getTime() - ANNOUNCEMENT_RETENTION_MS);
    await c.query('DELETE FROM announcements WHERE sent_at < $1 OR failed_at < $1', [old]);
  }
  return rowCount === 1;
}

export async function announcementCounts(c: Client, now: Date): Promise<AnnouncementCounts[]> {
  const t = now.getTime();
  const { rows } = await c.query<{ channel: string; pending: string; failed: string; oldest: Date | null }>(
    `SELECT channel, COUNT(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS pending,
     COUNT(*) FILTER (WHERE failed_at > $1) AS failed,
     MIN(created_at) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS oldest
     FROM announcements WHERE created_at > $2 OR (sent_at IS NULL AND failed_at IS NULL) GROUP BY channel ORDER BY channel`,
    [new Date(t - 24 * 3600_000), new Date(t - ANNOUNCEMENT_RETENTION_MS)],
  );
  return rows.map((r) => ({
    channel: r.channel,
    pending: Number(r.pending),
    failedLastDay: Number(r.failed),
    oldestPendingAt: r.oldest,
  }));
}
