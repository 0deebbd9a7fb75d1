-- The live stream: one row per event an agent's WebSocket may receive (new message,
-- assignment, status change, closing, tags). Rows are written in the same transaction as the
-- change that causes them, together with a NOTIFY on `fieldline_stream` that carries only
-- `<tenant_id>:<event id>` as a wake-up. Readers page through the table by id, so a client that
-- reconnects with the last id it saw (`?after=`) gets everything it missed.
--
-- Ordering: ids come from one global sequence, and a writer takes a per-tenant transaction
-- advisory lock just before taking its id (released at commit), so within a tenant ids become
-- visible in id order: a reader that has seen id N can never later find a smaller id of the
-- same tenant. Readers always filter on tenant_id.
CREATE SEQUENCE stream_events_id_seq AS bigint;

CREATE TABLE stream_events (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 bigint NOT NULL DEFAULT nextval('stream_events_id_seq'),
    conversation_id    uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN (
                           'message.created', 'conversation.opened', 'conversation.assigned',
                           'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed')),
    message_id         uuid,
    -- Who held the conversation before an assignment or transfer: they are told it left them.
    prior_assignee_id  uuid,
    prior_team_id      uuid,
    data               jsonb NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id)
);
ALTER SEQUENCE stream_events_id_seq OWNED BY stream_events.id;

ALTER TABLE stream_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE stream_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stream_events USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
