/**
 * The tables several replicas share besides the store's own (server/store/): who leads (with the
 * fencing epoch), the event journal every replica turns into the same SSE events, and the leader's
 * view of the paging service. Applied as one versioned step of the store's migrations.
 *
 * Why the journal is written under one transaction-scoped advisory lock taken at commit time: a
 * reader moves its cursor past every sequence number it has seen, so a row with a smaller number
 * that commits later would be skipped for ever. Taking `LOCK.journal` right before inserting, in a
 * deferred trigger (it runs at COMMIT, after every row lock the transaction needs is held, so it
 * cannot deadlock with another writer), makes journal rows commit in sequence order.
 */
import { KLAXON_LOCK_SPACE, LOCK } from '../store/postgres/advisory-locks.js';

/** NOTIFY channel: payload is the newest journal sequence number (never data: payloads stop at 8000 bytes). */
export const EVENTS_CHANNEL = 'klaxon_events';
/** NOTIFY channel: a follower asks the leader to poll the paging service now (payload: the reason). */
export const REFRESH_CHANNEL = 'klaxon_refresh';

/** Version 4 of the PostgreSQL schema (server/store/postgres/postgres-migrations.ts). */
export const CLUSTER_SCHEMA = `
CREATE TABLE klaxon_leader (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL,
  holder text,
  elected_at timestamptz,
  -- Journal rows below this were pruned: a reader whose cursor is older must reload the tables.
  pruned_below bigint NOT NULL DEFAULT 0
);
INSERT INTO klaxon_leader (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

CREATE TABLE klaxon_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL CHECK (kind IN ('incident', 'state', 'page')),
  page_id text,
  data jsonb
);
CREATE INDEX klaxon_events_at ON klaxon_events (at);

CREATE TABLE klaxon_incidents (
  number text PRIMARY KEY,
  entity_id text,
  visible boolean NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX klaxon_incidents_entity ON klaxon_incidents (entity_id);

CREATE OR REPLACE FUNCTION klaxon_journal_page() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${KLAXON_LOCK_SPACE}, ${LOCK.journal});
  INSERT INTO klaxon_events (kind, page_id) VALUES ('page', NEW.id) RETURNING seq INTO s;
  PERFORM pg_notify('${EVENTS_CHANNEL}', s::text);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER klaxon_journal_page AFTER INSERT OR UPDATE ON pages
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION klaxon_journal_page();
`;
