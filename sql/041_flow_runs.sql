-- Flow runs (issue 12, docs/flows.md#runs): one member going through one version of a flow,
-- in one conversation, optionally about a job. `state` is FlowRunState (the waiting step, the
-- variables, the visit and send counters); `status` and `step_id` repeat it for queries.
CREATE TABLE flow_runs (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    flow_id          uuid NOT NULL,
    -- Pinned when the run starts: publishing a new version never changes a run under way.
    version          integer NOT NULL,
    member_id        uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    job_id           uuid,
    status           text NOT NULL CHECK (status IN ('waiting', 'paused', 'completed', 'handed_off', 'stopped', 'failed')),
    step_id          text,
    state            jsonb NOT NULL,
    -- What started it: `trigger:keyword`, `trigger:job_status`, `user:<id>`, `api_key:<id>`...
    started_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, flow_id, version) REFERENCES flow_versions (tenant_id, flow_id, version) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE SET NULL (job_id)
);
-- At most one run under way per conversation: the bot never talks over itself.
CREATE UNIQUE INDEX flow_runs_active_idx ON flow_runs (tenant_id, conversation_id) WHERE status IN ('waiting', 'paused');
CREATE INDEX flow_runs_conversation_idx ON flow_runs (tenant_id, conversation_id, id DESC);
CREATE INDEX flow_runs_job_idx ON flow_runs (tenant_id, job_id) WHERE job_id IS NOT NULL;
ALTER TABLE flow_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE flow_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flow_runs
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- Each message a run sends, keyed by run, step and the run's send number: a retried event
-- (a timer fired twice, a replayed answer) finds its key taken and sends nothing.
CREATE TABLE flow_run_sends (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    run_id      uuid NOT NULL,
    step_id     text NOT NULL,
    sequence    integer NOT NULL,
    message_id  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id, step_id, sequence),
    FOREIGN KEY (tenant_id, run_id) REFERENCES flow_runs (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE flow_run_sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE flow_run_sends FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flow_run_sends
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- A job moving to a status that an enabled flow of its tenant is triggered by queues a
-- `flow.job_status` outbox row, whatever moved it (the API, an accepted offer, a manual
-- assignment); nothing for tenants without such a flow but one index probe.
CREATE FUNCTION jobs_flow_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status) AND EXISTS (
        SELECT 1 FROM flows f
        WHERE f.tenant_id = NEW.tenant_id AND f.enabled
          AND f.triggers @> jsonb_build_array(jsonb_build_object('type', 'job_status', 'status', NEW.status))) THEN
        INSERT INTO outbox (tenant_id, topic, payload)
        VALUES (NEW.tenant_id, 'flow.job_status', jsonb_build_object('job_id', NEW.id::text, 'status', NEW.status));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_flow_trigger AFTER INSERT OR UPDATE OF status ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_flow_trigger();
