import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { ESCALATION_COLUMNS, incidentRecordRows, type AckRowOf, type EscalationRowOf } from './incident-record-rows.js';
import type { EscalationRecord, EscalationStatus, KlaxonAck } from './store.js';

type AckRow = AckRowOf<number>;
type EscalationRow = EscalationRowOf<number>;

interface Stmt<Params extends SQLInputValue[], Row> {
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  run(...params: Params): { changes: number | bigint };
}

const recordRows = incidentRecordRows<number>(
  (ms) => new Date(ms),
  (d) => d.getTime(),
);

/**
 * What Klaxon keeps about incidents it acted on: acknowledgements made in Klaxon (so an
 * acknowledgement sent as the service user is credited to the person) and its escalations (one per
 * incident, ever). The tables are SQLite migration step 4 (migrations/sqlite-migrations.ts); the
 * SQLite store delegates to this class inside its own transactions.
 */
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
        `INSERT INTO escalations (${ESCALATION_COLUMNS})
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
    return this.stmts.acksSince.all(since.getTime()).map(recordRows.ack);
  }

  claim(e: EscalationRecord): boolean {
    const r = this.stmts.claim.run(...recordRows.values(e));
    return Number(r.changes) === 1;
  }

  settle(incidentNumber: string, status: EscalationStatus, message: string | null, at: Date): EscalationRecord | null {
    const row = this.stmts.settle.get(status, message, at.getTime(), incidentNumber);
    return row ? recordRows.escalation(row) : null;
  }

  release(incidentNumber: string): void {
    this.stmts.release.run(incidentNumber);
  }

  escalationsSince(since: Date): EscalationRecord[] {
    return this.stmts.since.all(since.getTime()).map(recordRows.escalation);
  }
}
