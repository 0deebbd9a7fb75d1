-- Dispatch timers and allocation modes (docs/dispatch.md). Offers expire; a broadcast runs in
-- mode `all`, `nearest_first` (widening waves) or `one_by_one`; a job nobody takes becomes open
-- again, or expired at the end of its window. The timers are `dispatch.tick` rows of the outbox
-- (due at the next deadline of the job), so they live in PostgreSQL and survive a restart.

-- A tenant's defaults for broadcasts; a tenant without a row uses the built-in ones
-- (AllocationSettings.standard: mode all, offers open 15 minutes).
CREATE TABLE dispatch_settings (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    mode                   text NOT NULL CHECK (mode IN ('all', 'nearest_first', 'one_by_one')),
    offer_timeout_seconds  integer NOT NULL CHECK (offer_timeout_seconds BETWEEN 1 AND 604800),
    wave_size              integer NOT NULL CHECK (wave_size BETWEEN 1 AND 1000),
    wave_interval_seconds  integer NOT NULL CHECK (wave_interval_seconds BETWEEN 1 AND 604800),
    widen_factor           double precision NOT NULL CHECK (widen_factor > 1 AND widen_factor <= 100),
    max_waves              integer NOT NULL CHECK (max_waves BETWEEN 1 AND 100),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- One broadcast round of a job: its settings, its ranked candidates (reachable ones, nearest
-- first), and how far it got. Every step offers the next candidates in rank order, so what was
-- offered so far is the first `considered` of them.
CREATE TABLE dispatch_rounds (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    job_id                 uuid NOT NULL,
    round                  integer NOT NULL CHECK (round >= 1),
    mode                   text NOT NULL CHECK (mode IN ('all', 'nearest_first', 'one_by_one')),
    offer_timeout_seconds  integer NOT NULL,
    wave_size              integer NOT NULL,
    wave_interval_seconds  integer NOT NULL,
    widen_factor           double precision NOT NULL,
    max_waves              integer NOT NULL,
    candidate_ids          uuid[] NOT NULL,
    candidate_distances    double precision[] NOT NULL,
    considered             integer NOT NULL DEFAULT 0,
    wave                   integer NOT NULL DEFAULT 1,
    radius_m               double precision,
    -- nearest_first: when the next wave goes out if nobody accepted; null when none will.
    next_wave_at           timestamptz,
    -- Set once the round offers nothing more (accepted, withdrawn, exhausted, replaced).
    closed_at              timestamptz,
    created_by             text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, job_id, round),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id),
    CHECK (cardinality(candidate_ids) = cardinality(candidate_distances))
);

ALTER TABLE offers ADD COLUMN expires_at timestamptz;
ALTER TABLE offers ADD COLUMN wave integer NOT NULL DEFAULT 1;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['dispatch_settings', 'dispatch_rounds'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- The agent's stream learns offers that expire or are withdrawn, and jobs nobody took.
ALTER TABLE stream_events DROP CONSTRAINT stream_events_kind_check;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_kind_check CHECK (kind IN (
    'message.created', 'conversation.opened', 'conversation.assigned',
    'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed',
    'offer.accepted', 'offer.declined', 'offer.expired', 'offer.withdrawn',
    'job.assigned', 'job.reopened', 'job.expired'));
