-- Offers: a job offered to one subcontractor during a broadcast round (docs/dispatch.md). The
-- first acceptance wins: the acceptance step locks the job row, so exactly one offer of a job
-- becomes `accepted` and every other open one `withdrawn`. `sent`, `delivered` and `read` are
-- the open states; the others are final.
CREATE TABLE offers (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    id                     uuid NOT NULL,
    job_id                 uuid NOT NULL,
    organization_id        uuid NOT NULL,
    -- The broadcast round (1, 2, …): a job offered again after nobody took it starts a new one.
    round                  integer NOT NULL CHECK (round >= 1),
    status                 text NOT NULL DEFAULT 'sent'
                           CHECK (status IN ('sent', 'delivered', 'read', 'accepted', 'declined', 'expired', 'withdrawn')),
    -- From the subcontractor's nearest covering service area to the job's site, when offered.
    distance_m             double precision,
    answered_by_member_id  uuid,
    answered_at            timestamptz,
    created_by             text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, job_id, round, organization_id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, answered_by_member_id) REFERENCES members (tenant_id, id) ON DELETE SET NULL (answered_by_member_id),
    CHECK ((status IN ('accepted', 'declined')) = (answered_at IS NOT NULL))
);
CREATE INDEX offers_job_idx ON offers (tenant_id, job_id, id);
-- The open offers of a job, which an acceptance withdraws.
CREATE INDEX offers_open_idx ON offers (tenant_id, job_id) WHERE status IN ('sent', 'delivered', 'read');

-- Who an offer went to: one row per member, with the outbound message that carries it.
CREATE TABLE offer_recipients (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    offer_id         uuid NOT NULL,
    member_id        uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    message_id       uuid NOT NULL,
    PRIMARY KEY (tenant_id, offer_id, member_id),
    FOREIGN KEY (tenant_id, offer_id) REFERENCES offers (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id)
);
CREATE INDEX offer_recipients_member_idx ON offer_recipients (tenant_id, member_id);
CREATE INDEX offer_recipients_message_idx ON offer_recipients (tenant_id, message_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['offers', 'offer_recipients'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- The agent's live stream learns the offers' answers and the assignment they make.
ALTER TABLE stream_events DROP CONSTRAINT stream_events_kind_check;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_kind_check CHECK (kind IN (
    'message.created', 'conversation.opened', 'conversation.assigned',
    'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed',
    'offer.accepted', 'offer.declined', 'job.assigned'));
