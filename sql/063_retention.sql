-- Retention (issue 15): stream events, finished outbox rows and idempotency keys are pruned in
-- small batches once older than their configured ages (RetentionWorker). A stream cursor at or
-- after what was pruned still resumes exactly; one before it gets "too old, resync", and for
-- that each tenant's highest pruned event id is kept here.
CREATE TABLE stream_retention (
    tenant_id       uuid PRIMARY KEY REFERENCES tenants (id),
    pruned_through  bigint NOT NULL,
    pruned_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE stream_retention ENABLE ROW LEVEL SECURITY;
ALTER TABLE stream_retention FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stream_retention USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- Finished outbox rows, oldest first, without scanning the ones still due.
CREATE INDEX outbox_done_idx ON outbox (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX outbox_dead_idx ON outbox (dead_at) WHERE dead_at IS NOT NULL;
