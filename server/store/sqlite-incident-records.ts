import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { EscalationReason } from '#common/index.js';
import type { EscalationRecord, EscalationStatus, KlaxonAck } from './store.js';

/**
 * What Klaxon keeps about incidents it acted on: acknowledgements made in Klaxon (so an
 * acknowledgement sent as the service user is credited to the person) and its escalations (one per
 * incident, ever). The tables are SQLite migration step 4 (migrations/sqlite-migrations.ts); the
 * SQLite store delegates to this class inside its own transactions.
 */
interface AckRow {
  incident_number: string;
  person_sub: string;
  person_name: string;
  sent_as: string;
  at: number;
}

interface EscalationRow {
  incident_number: string;
  reason: string;
  policy: string;
  policy_name: string;
  as_user: string;
  page_id: string | null;
  requester_sub: string | null;
  requester_name: string | null;
  after_minutes: number | null;
  status: string;
  message: string | null;
  created_at: number;
  updated_at: number;
}

interface Stmt<Params extends SQLInputValue[], Row> {
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  run(...params: Params): { changes: number | bigint };
}

const toAck = (r: AckRow): KlaxonAck => ({
  incidentNumber: r.incident_number,
  personSub: r.person_sub,
  personName: r.person_name,
  sentAs: r.sent_as,
  at: new Date(r.at),
});

const toEscalation = (r: EscalationRow): EscalationRecord => ({
  incidentNumber: r.incident_number,
  reason: r.reason as EscalationReason,
  policy: r.policy,
  policyName: r.policy_name,
  asUser: r.as_user,
  pageId: r.page_id,
  requesterSub: r.requester_sub,
  requesterName: r.requester_name,
  afterMinutes: r.after_minutes,
  status: r.status as EscalationStatus,
  message: r.message,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export class SqliteIncidentRecords {
  private readonly stmts;

  constructor(db: DatabaseSync) {
    const prepare = <Params extends SQLInputValue[], Row = never>(sql: string) =>
      db.prepare(sql) as unknown as Stmt<Params, Row>;
    this.stmts = {
      insertAck: prepare<[string, string, string, string, number]>(
        'INSERT INTO klaxon_acks (incident_number, person_sub, person_name, sent_as, at) VALUES (?, ?, ?, ?, ?)',
      ),
      acksSince: prepare<[number], AckRow>('SELECT * FROM klaxon_acks WHERE at >= ? ORDER BY at, id'),
      claim: prepare<SQLInputValue[]>(
        `INSERT INTO escalations (incident_number, reason, policy, policy_name, as_user, page_id, requester_sub,
         requester_name, after_minutes, status, message, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_number) DO NOTHING`,
      ),
      settle: prepare<[string, string | null, number, string], EscalationRow>(
        'UPDATE escalations SET status = ?, message = ?, updated_at = ? WHERE incident_number = ? RETURNING *',
      ),
      release: prepare<[string]>("DELETE FROM escalations WHERE incident_number = ? AND status = 'sending'"),
      since: prepare<[number], EscalationRow>('SELECT * FROM escalations WHERE created_at >= ? ORDER BY created_at'),
    };
  }

  recordAck(a: KlaxonAck): void {
    this.stmts.insertAck.run(a.incidentNumber, a.personSub, a.personName, a.sentAs, a.at.getTime());
  }

  acksSince(since: Date): KlaxonAck[] {
    return this.stmts.acksSince.all(since.getTime()).map(toAck);
  }

  claim(e: EscalationRecord): boolean {
    const r = this.stmts.claim.run(
      e.incidentNumber,
      e.reason,
      e.policy,
      e.policyName,
      e.asUser,
      e.pageId,
      e.requesterSub,
      e.requesterName,
      e.afterMinutes,
      e.status,
      e.message,
      e.createdAt.getTime(),
      e.updatedAt.getTime(),
    );
    return Number(r.changes) === 1;
  }

  settle(incidentNumber: string, status: EscalationStatus, message: string | null, at: Date): EscalationRecord | null {
    const row = this.stmts.settle.get(status, message, at.getTime(), incidentNumber);
    return row ? toEscalation(row) : null;
  }

  release(incidentNumber: string): void {
    this.stmts.release.run(incidentNumber);
  }

  escalationsSince(since: Date): EscalationRecord[] {
    return this.stmts.since.all(since.getTime()).map(toEscalation);
  }
}
