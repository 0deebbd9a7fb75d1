-- The sandbox provider (docs/adapters.md#the-sandbox-phone): a phone played in the browser, so
-- both sides of a conversation can be tried without an account at a messaging provider. Its
-- members are reached as `sandbox` identities; what the outbox sends them is kept here, as a
-- real provider would keep it on the member's phone, for the sandbox page to show.
ALTER TABLE member_identities DROP CONSTRAINT member_identities_kind_check;
ALTER TABLE member_identities ADD CONSTRAINT member_identities_kind_check
    CHECK (kind IN ('whatsapp', 'telegram', 'sms', 'messenger', 'app', 'sandbox'));
ALTER TABLE adapters DROP CONSTRAINT adapters_provider_check;
ALTER TABLE adapters ADD CONSTRAINT adapters_provider_check
    CHECK (provider IN ('whatsapp', 'telegram', 'sms', 'messenger', 'sandbox'));
ALTER TABLE media DROP CONSTRAINT media_provider_check;
ALTER TABLE media ADD CONSTRAINT media_provider_check
    CHECK (provider IN ('whatsapp', 'telegram', 'sms', 'messenger', 'upload', 'sandbox'));

-- What a sandbox adapter delivered to a phone: the rendered message, as the phone shows it.
CREATE TABLE sandbox_messages (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    adapter_id  uuid NOT NULL,
    -- The member's sandbox identity (its external id).
    recipient   text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
    body        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, adapter_id) REFERENCES adapters (tenant_id, id)
);
CREATE INDEX sandbox_messages_phone_idx ON sandbox_messages (tenant_id, adapter_id, recipient, id);
ALTER TABLE sandbox_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE sandbox_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sandbox_messages
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
