-- Channels over the organization graph. A hierarchical channel speaks from one organization down
-- to the members of its descendants (optionally only organizations of some kinds or with some
-- tags); every post becomes one outbound message in each recipient's own conversation, so replies
-- come back as individual conversations. A horizontal channel is one shared thread between peer
-- organizations: its posts are the thread, each relayed to every other participant member.

-- Ids for rows made in bulk by one statement (a channel post's thousands of deliveries): the
-- UUIDv7 layout (48-bit Unix milliseconds, version 7, variant bits) over gen_random_uuid()'s
-- random bits, so they sort by time like the ids `UUIDv7.make()` draws in Swift. Within one
-- millisecond the order is random, which keeps cursor paging (by id) total and stable.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

CREATE TABLE channels (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('hierarchical', 'horizontal')),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Hierarchical only: the organization speaking, and the filters on its descendants
    -- (empty = no filter; an organization matches with any one of the kinds and any one of the tags).
    organization_id  uuid,
    kinds            text[] NOT NULL DEFAULT '{}',
    tags             text[] NOT NULL DEFAULT '{}',
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (created_by),
    CHECK ((kind = 'hierarchical') = (organization_id IS NOT NULL)),
    CHECK (kind = 'hierarchical' OR (kinds = '{}' AND tags = '{}'))
);

-- Horizontal only: the peer organizations sharing the thread.
CREATE TABLE channel_participants (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    channel_id       uuid NOT NULL,
    organization_id  uuid NOT NULL,
    PRIMARY KEY (tenant_id, channel_id, organization_id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX channel_participants_organization_idx ON channel_participants (tenant_id, organization_id);

-- What was said in a channel: by a user or API key (author_user_id, or neither), or by a
-- participant member of a horizontal channel (author_member_id).
CREATE TABLE channel_posts (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    id                uuid NOT NULL,
    channel_id        uuid NOT NULL,
    body              text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    author_user_id    uuid,
    author_member_id  uuid,
    sender_label      text,
    recipient_count   integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, author_member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX channel_posts_channel_idx ON channel_posts (tenant_id, channel_id, id DESC);

-- Each delivery of a post is an ordinary outbound message in the recipient's conversation; it
-- names its post so a channel's reach can be counted. Deleting a channel keeps the messages.
ALTER TABLE messages ADD COLUMN channel_post_id uuid;
ALTER TABLE messages ADD FOREIGN KEY (tenant_id, channel_post_id) REFERENCES channel_posts (tenant_id, id)
    ON DELETE SET NULL (channel_post_id);
CREATE INDEX messages_channel_post_idx ON messages (tenant_id, channel_post_id) WHERE channel_post_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['channels', 'channel_participants', 'channel_posts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
