-- Inbound media: one row per image/document/voice message, written (status 'pending') in the
-- transaction that stores the message, together with a 'media.fetch' outbox row. The outbox
-- worker downloads the bytes from the provider into content-addressed storage (by SHA-256) and
-- records what it found; a refusal or the last failed attempt leaves status 'failed' with the
-- reason in `error`, and a pending row shows the last transient error while it is retried.
CREATE TABLE media (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL,
    message_id         uuid NOT NULL,
    adapter_id         uuid,
    provider           text NOT NULL CHECK (provider IN ('whatsapp', 'telegram', 'sms', 'messenger')),
    -- Where to fetch it: a provider media id (WhatsApp, Telegram) or a URL (Twilio, Messenger).
    provider_media_id  text,
    source_url         text,
    -- What the provider announced (never trusted for the stored content type).
    declared_type      text,
    declared_sha256    text,
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fetched', 'failed')),
    sha256             text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes         bigint CHECK (size_bytes >= 0),
    content_type       text,
    error              text,
    attempts           integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    fetched_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
    FOREIGN KEY (tenant_id, adapter_id) REFERENCES adapters (tenant_id, id),
    CHECK (provider_media_id IS NOT NULL OR source_url IS NOT NULL),
    CHECK ((status = 'fetched') = (sha256 IS NOT NULL AND size_bytes IS NOT NULL AND content_type IS NOT NULL))
);
-- A message carries at most one media item (a Twilio MMS with several becomes several messages).
CREATE UNIQUE INDEX media_message_idx ON media (tenant_id, message_id);

ALTER TABLE media ENABLE ROW LEVEL SECURITY;
ALTER TABLE media FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- `{"id", "status"}` of a message's media, or NULL: the small `media` field of the Message JSON.
-- A function so that it also works in `INSERT ... RETURNING`, where no join is possible; it runs
-- as the caller, under row-level security.
CREATE FUNCTION message_media(p_tenant_id uuid, p_message_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', id, 'status', status) FROM media
    WHERE tenant_id = p_tenant_id AND message_id = p_message_id
$$;
