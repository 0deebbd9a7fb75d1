-- Notices about closed offers, sent after commit (docs/dispatch.md, "Exactly once, and how").
-- Closing a job's open offers (another one won, the agent withdrew them, they expired) adds one
-- row here per offer in the closing statement, with the text its recipients are to get (NULL:
-- the offer closes quietly, as for a subcontractor a re-broadcast offers anew), and queues one
-- `dispatch.notices` outbox row for the job. That job deletes the rows and writes the notices and
-- their stream events in a transaction of its own, so an Accept that withdraws 999 other offers
-- commits without writing 999 messages while it holds the job's row lock. The rows live in a
-- table of their own so that writing the notices locks no offer: a late Accept reads (and
-- locks) its withdrawn offer while the notices are being written.
CREATE TABLE offer_notices (
    tenant_id   uuid NOT NULL,
    offer_id    uuid NOT NULL,
    job_id      uuid NOT NULL,
    notice      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, offer_id),
    FOREIGN KEY (tenant_id, offer_id) REFERENCES offers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX offer_notices_job_idx ON offer_notices (tenant_id, job_id);

ALTER TABLE offer_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE offer_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON offer_notices USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
