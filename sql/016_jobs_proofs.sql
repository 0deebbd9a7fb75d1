-- Jobs (service requests with the tenant's order number) and proofs of service (photos, the
-- location the crew sent, the crew code), each optionally linked to the conversation they came
-- from so the member's timeline shows them. Broadcast waves and offers will reference jobs by
-- (tenant_id, id) and move a job through `offered`; nothing here needs to change for them.

-- Lets a job name its crew together with the crew's organization in one composite key, so a
-- job's crew always belongs to the job's assigned subcontractor.
CREATE UNIQUE INDEX crews_organization_id_key ON crews (tenant_id, organization_id, id);

CREATE TABLE jobs (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL,
    order_number       text NOT NULL CHECK (length(order_number) BETWEEN 1 AND 100),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text CHECK (length(description) <= 5000),
    latitude           double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude          double precision CHECK (longitude BETWEEN -180 AND 180),
    address            text CHECK (length(address) <= 500),
    required_tags      text[] NOT NULL DEFAULT '{}',
    window_start       timestamptz,
    window_end         timestamptz,
    status             text NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'offered', 'assigned', 'in_progress', 'completed', 'cancelled', 'expired')),
    -- The subcontractor doing the job and, optionally, which of its crews.
    organization_id    uuid,
    crew_id            uuid,
    conversation_id    uuid,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, order_number),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id, crew_id) REFERENCES crews (tenant_id, organization_id, id)
        ON DELETE SET NULL (crew_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CHECK (window_start IS NULL OR window_end IS NULL OR window_end > window_start),
    CHECK (crew_id IS NULL OR organization_id IS NOT NULL),
    CHECK (status NOT IN ('assigned', 'in_progress', 'completed') OR organization_id IS NOT NULL)
);
CREATE INDEX jobs_status_idx ON jobs (tenant_id, status, id DESC);
CREATE INDEX jobs_updated_idx ON jobs (tenant_id, updated_at);
CREATE INDEX jobs_conversation_idx ON jobs (tenant_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX jobs_organization_idx ON jobs (tenant_id, organization_id) WHERE organization_id IS NOT NULL;

CREATE TABLE proofs (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    job_id           uuid NOT NULL,
    conversation_id  uuid,
    member_id        uuid,
    -- As recorded: a later recode of the crew does not rewrite the evidence.
    crew_code        text CHECK (crew_code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    latitude         double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude        double precision CHECK (longitude BETWEEN -180 AND 180),
    note             text CHECK (length(note) <= 2000),
    review_state     text NOT NULL DEFAULT 'submitted' CHECK (review_state IN ('submitted', 'accepted', 'rejected')),
    review_reason    text CHECK (length(review_reason) <= 2000),
    reviewed_by      text,
    reviewed_at      timestamptz,
    submitted_by     text NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE SET NULL (member_id),
    CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CHECK ((review_state = 'submitted') = (reviewed_at IS NULL)),
    CHECK ((review_state = 'submitted') = (reviewed_by IS NULL)),
    CHECK (review_state <> 'rejected' OR review_reason IS NOT NULL)
);
CREATE INDEX proofs_job_idx ON proofs (tenant_id, job_id, id DESC);
CREATE INDEX proofs_conversation_idx ON proofs (tenant_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX proofs_crew_code_idx ON proofs (tenant_id, crew_code, id DESC);
CREATE INDEX proofs_updated_idx ON proofs (tenant_id, updated_at);

-- The files of a proof, in the order they were given; the message each came in is the media's.
CREATE TABLE proof_media (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    proof_id   uuid NOT NULL,
    media_id   uuid NOT NULL,
    position   integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, proof_id, media_id),
    FOREIGN KEY (tenant_id, proof_id) REFERENCES proofs (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, media_id) REFERENCES media (tenant_id, id)
);
CREATE INDEX proof_media_media_idx ON proof_media (tenant_id, media_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['jobs', 'proofs', 'proof_media'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
