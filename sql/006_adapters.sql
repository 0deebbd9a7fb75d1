-- Adapters: one provider account of a tenant (a WhatsApp number, a Telegram bot, a Twilio
-- number, a Messenger page). Credentials are sealed with AES-GCM under MASTER_KEY by the server
-- (the adapter id is the associated data, so a sealed blob cannot be moved to another row) and
-- are never returned by the API.

CREATE TABLE adapters (
    tenant_id                   uuid NOT NULL REFERENCES tenants (id),
    id                          uuid NOT NULL,
    provider                    text NOT NULL CHECK (provider IN ('whatsapp', 'telegram', 'sms', 'messenger')),
    name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    credentials                 bytea NOT NULL,
    config                      jsonb NOT NULL DEFAULT '{}',
    -- Where senders nobody knows yet become members, so nothing a crew sends is lost.
    unverified_organization_id  uuid NOT NULL,
    disabled_at                 timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unverified_organization_id) REFERENCES organizations (tenant_id, id)
);
ALTER TABLE adapters ENABLE ROW LEVEL SECURITY;
ALTER TABLE adapters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON adapters
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- The adapter id in an inbound webhook's URL is the only thing known before the tenant.
CREATE TABLE adapter_lookup (
    adapter_id  uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE FUNCTION adapters_sync_lookup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO adapter_lookup (adapter_id, tenant_id) VALUES (NEW.id, NEW.tenant_id);
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM adapter_lookup WHERE adapter_id = OLD.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER adapters_lookup
    AFTER INSERT OR DELETE ON adapters
    FOR EACH ROW EXECUTE FUNCTION adapters_sync_lookup();

-- Provider message ids are unique per adapter (two Telegram bots can both see "chat:1"), so
-- inbound messages remember their adapter and deduplicate on it. The built-in app adapter has
-- no row here; NULLS NOT DISTINCT keeps its ids unique too.
ALTER TABLE messages ADD COLUMN adapter_id uuid;
ALTER TABLE messages ADD FOREIGN KEY (tenant_id, adapter_id) REFERENCES adapters (tenant_id, id);
DROP INDEX messages_provider_id_idx;
CREATE UNIQUE INDEX messages_adapter_provider_id_idx
    ON messages (tenant_id, provider, adapter_id, provider_message_id) NULLS NOT DISTINCT
    WHERE provider_message_id IS NOT NULL;
