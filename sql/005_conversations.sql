-- The agent's desk: conversations with members, their messages, the append-only log of
-- conversation events (analytics are computed from it), and the transactional outbox.

CREATE TABLE conversations (
    tenant_id             uuid NOT NULL REFERENCES tenants (id),
    id                    uuid NOT NULL,
    member_id             uuid NOT NULL,
    status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
    assignee_id           uuid,
    team_id               uuid,
    tags                  text[] NOT NULL DEFAULT '{}',
    snoozed_until         timestamptz,
    opened_at             timestamptz NOT NULL DEFAULT now(),
    last_message_at       timestamptz NOT NULL DEFAULT now(),
    first_human_reply_at  timestamptz,
    closed_at             timestamptz,
    closed_by             uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- At most one conversation per member is not closed: inbound messages join it.
CREATE UNIQUE INDEX conversations_one_active_per_member ON conversations (tenant_id, member_id) WHERE status <> 'closed';
CREATE INDEX conversations_member_idx ON conversations (tenant_id, member_id, id DESC);
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, status, team_id, assignee_id);

CREATE TABLE messages (
    tenant_id            uuid NOT NULL REFERENCES tenants (id),
    id                   uuid NOT NULL,
    conversation_id      uuid NOT NULL,
    direction            text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    kind                 text NOT NULL CHECK (kind IN ('text', 'image', 'document', 'location', 'choice', 'system', 'note', 'unsupported')),
    body                 text,
    payload              jsonb NOT NULL DEFAULT '{}',
    author_user_id       uuid,
    provider             text,
    provider_message_id  text,
    delivery_status      text CHECK (delivery_status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    delivery_error       text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, author_user_id) REFERENCES users (tenant_id, id),
    CHECK (length(body) <= 10000)
);
-- A retried webhook never creates a second message.
CREATE UNIQUE INDEX messages_provider_id_idx ON messages (tenant_id, provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, id DESC);

-- Append-only facts about conversations (opened, assigned, first_human_reply, closed, ...).
CREATE TABLE conversation_events (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    kind             text NOT NULL,
    actor_user_id    uuid,
    data             jsonb NOT NULL DEFAULT '{}',
    at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX conversation_events_conversation_idx ON conversation_events (tenant_id, conversation_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['conversations', 'messages', 'conversation_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- Side effects written in the same transaction as the change that causes them. Workers claim
-- rows across tenants with FOR UPDATE SKIP LOCKED, so this table is global (on Citus it stays
-- a local table): a row carries its tenant_id and the worker scopes its follow-up work to it.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    topic         text NOT NULL,
    payload       jsonb NOT NULL,
    available_at  timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz,
    dead_at       timestamptz
);
CREATE INDEX outbox_ready_idx ON outbox (available_at) WHERE done_at IS NULL AND dead_at IS NULL;
