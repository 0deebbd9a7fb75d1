-- A channel's handle: a member writes "#handle text" from any app (SMS has no quoted replies) to
-- speak in that channel (docs/channels.md). Optional, unique within a tenant, in the shape
-- `ChannelHandle` checks (lower-case letters, digits and dashes, not starting with a dash).
ALTER TABLE channels ADD COLUMN handle text
    CHECK (handle ~ '^[a-z0-9][a-z0-9-]{0,39}$');
CREATE UNIQUE INDEX channels_handle_idx ON channels (tenant_id, handle) WHERE handle IS NOT NULL;
