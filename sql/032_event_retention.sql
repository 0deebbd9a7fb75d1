-- Event retention (issue 14): the business event log keeps at least 30 days
-- (EVENTS_RETENTION_DAYS) and RetentionWorker prunes older events in feed order, in batches.
-- Each tenant's feed position through which events were pruned is kept here, so a feed cursor
-- before it is answered 410 `cursor_expired` rather than silently skipping what was pruned.
CREATE TABLE event_retention (
    tenant_id     uuid PRIMARY KEY REFERENCES tenants (id),
    pruned_txid   xid8 NOT NULL,
    pruned_seq    bigint NOT NULL,
    pruned_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE event_retention ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_retention FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_retention USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- A pruned event's deliveries go with it, found without scanning the endpoint's history.
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (tenant_id, event_id);
