-- What happened to each flow run (issue 12, docs/flows.md#runs-over-the-api): one row per event
-- the run took (its start, an answer, a reminder or timeout, an HTTP result, a pause, a resume,
-- a stop), with the step and status it left the run in and who caused it. `GET
-- /v1/flow-runs/{id}` shows it as the run's history. Created after 089, so it follows
-- docs/scaling.md: no foreign keys until the table is distributed (a no-op without Citus).
CREATE TABLE flow_run_history (
    tenant_id   uuid NOT NULL,
    run_id      uuid NOT NULL,
    id          uuid NOT NULL,
    event       text NOT NULL CHECK (event IN ('start', 'answer', 'reminder', 'timeout', 'http_result', 'pause', 'resume', 'stop')),
    -- The step the run waits on after the event (null once over) and its status then.
    step_id     text,
    status      text NOT NULL CHECK (status IN ('waiting', 'paused', 'completed', 'handed_off', 'stopped', 'failed')),
    -- `member`, `timer`, `user:<id>`, `api_key:<id>`, `trigger:<kind>`.
    actor       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id, id)
);
ALTER TABLE flow_run_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE flow_run_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flow_run_history
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
SELECT fieldline_distribute('flow_run_history');
ALTER TABLE flow_run_history ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE flow_run_history ADD FOREIGN KEY (tenant_id, run_id) REFERENCES flow_runs (tenant_id, id) ON DELETE CASCADE;

-- Lists of runs by flow or member, newest first (by job and conversation have indexes in 041).
CREATE INDEX flow_runs_flow_idx ON flow_runs (tenant_id, flow_id, id DESC);
CREATE INDEX flow_runs_member_idx ON flow_runs (tenant_id, member_id, id DESC);

-- The agent's stream learns when a run starts, moves, hands off and ends.
ALTER TABLE stream_events DROP CONSTRAINT stream_events_kind_check;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_kind_check CHECK (kind IN (
    'message.created', 'conversation.opened', 'conversation.assigned',
    'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed',
    'offer.accepted', 'offer.declined', 'offer.expired', 'offer.withdrawn',
    'job.assigned', 'job.reopened', 'job.expired',
    'flow_run.started', 'flow_run.advanced', 'flow_run.handed_off', 'flow_run.ended'));
