-- Outgoing webhooks (Standard Webhooks): a tenant's endpoints, their signing secrets, one
-- delivery per (endpoint, event), and every attempt made (docs/events.md#webhooks).

CREATE TABLE webhook_endpoints (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    url              text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description      text CHECK (length(description) <= 500),
    event_types      text[] NOT NULL CHECK (cardinality(event_types) > 0),
    enabled          boolean NOT NULL DEFAULT true,
    -- Why it was disabled (410 Gone, failing for days, by hand), shown until it is re-enabled.
    disabled_reason  text,
    disabled_at      timestamptz,
    -- Since when every attempt has failed (null after any success).
    failing_since    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- Signing secrets, encrypted with the server's master key. Several are live during a rotation:
-- each delivery is signed with every one not yet expired.
CREATE TABLE webhook_secrets (
    tenant_id    uuid NOT NULL,
    endpoint_id  uuid NOT NULL,
    id           uuid NOT NULL,
    sealed       bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_secrets_endpoint_idx ON webhook_secrets (tenant_id, endpoint_id);

-- One event to one endpoint. Delivered in the event log's order per resource: a delivery waits
-- while an earlier one of the same resource to the same endpoint is pending.
CREATE TABLE webhook_deliveries (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    endpoint_id      uuid NOT NULL,
    event_id         uuid NOT NULL,
    resource_id      uuid NOT NULL,
    event_txid       xid8 NOT NULL,
    event_seq        bigint NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    leased_until     timestamptz,
    last_status      integer,
    last_error       text,
    -- A re-send asked through the API (POST .../deliveries/{id}/resend or .../events/{id}/resend).
    resend           boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (tenant_id, endpoint_id, event_txid, event_seq)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_resource_idx ON webhook_deliveries (tenant_id, endpoint_id, resource_id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (tenant_id, endpoint_id, id DESC);

CREATE TABLE webhook_attempts (
    tenant_id         uuid NOT NULL,
    id                uuid NOT NULL,
    delivery_id       uuid NOT NULL,
    endpoint_id       uuid NOT NULL,
    attempted_at      timestamptz NOT NULL DEFAULT now(),
    status_code       integer,
    latency_ms        integer NOT NULL,
    response_snippet  text,
    error             text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id, attempted_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_secrets', 'webhook_deliveries', 'webhook_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- The pump rows of one endpoint waiting in the outbox, found without scanning the others.
CREATE INDEX outbox_webhook_pending_idx ON outbox (tenant_id, (payload->>'endpoint_id'))
    WHERE topic = 'webhook.deliver' AND done_at IS NULL AND dead_at IS NULL;

-- Every event becomes a delivery to each enabled endpoint of its tenant that subscribed to its
-- type, in the statement that records the events (whatever wrote them: Swift or set-based SQL),
-- and each endpoint with new deliveries gets a `webhook.deliver` outbox row unless one is
-- already due. One statement per events statement; nothing for a tenant without endpoints but
-- one index probe.
CREATE FUNCTION events_fan_out() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    WITH made AS (
        INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, resource_id, event_txid, event_seq)
        SELECT n.tenant_id, w.id, n.id, n.resource_id, n.txid, n.seq
        FROM new_events n
        JOIN webhook_endpoints w ON w.tenant_id = n.tenant_id AND w.enabled AND n.type = ANY (w.event_types)
        RETURNING tenant_id, endpoint_id
    ), woken AS (
        SELECT DISTINCT tenant_id, endpoint_id FROM made
    )
    INSERT INTO outbox (tenant_id, topic, payload)
    SELECT k.tenant_id, 'webhook.deliver', jsonb_build_object('endpoint_id', k.endpoint_id::text)
    FROM woken k
    WHERE NOT EXISTS (
        SELECT 1 FROM outbox o
        WHERE o.topic = 'webhook.deliver' AND o.tenant_id = k.tenant_id AND o.payload->>'endpoint_id' = k.endpoint_id::text
          AND o.done_at IS NULL AND o.dead_at IS NULL AND o.available_at <= now());
    RETURN NULL;
END
$$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION events_fan_out();

-- A tenant in development mode may send webhooks (and flows' API calls) to private and
-- loopback addresses: for local receivers in tests and trials. Off by default.
ALTER TABLE tenants ADD COLUMN development_mode boolean NOT NULL DEFAULT false;
