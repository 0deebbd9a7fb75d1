-- The business event log: one append-only row per thing an ERP or CRM wants to hear about
-- (`job.assigned`, `proof.created`, `message.received`, ...), written in the same transaction
-- as the change, with the resource as the API returns it. The event feed (GET /v1/events) and
-- the outgoing webhooks read it (docs/events.md).
--
-- Order without a lock: each row carries the id of the transaction that wrote it (`txid`,
-- pg_current_xact_id()) and a number from a sequence (`seq`). The feed orders by (txid, seq)
-- and returns only rows whose transaction is older than the oldest transaction still running
-- (`txid < pg_snapshot_xmin(pg_current_snapshot())`). Every transaction below that horizon
-- has ended, so all its rows are visible; any transaction that commits later has a txid at or
-- above the horizon, so it sorts after everything returned so far. A poller holding a cursor
-- therefore never skips a row that commits late, and never sees one twice. Writers take no
-- lock and serialize on nothing (ingest writes thousands of these a second); the price is that
-- a long-running transaction anywhere in the database holds the feed back until it ends.
CREATE TABLE events (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL,
    txid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    type           text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    resource_type  text NOT NULL,
    resource_id    uuid NOT NULL,
    body           jsonb NOT NULL,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_feed_idx ON events (tenant_id, txid, seq);
CREATE INDEX events_occurred_idx ON events (tenant_id, occurred_at);

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
