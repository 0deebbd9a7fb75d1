-- On Citus a job's `flow.job_status` outbox row is queued by the code that inserts the job or
-- changes its status (`CitusWrites.jobStatusChanged`, in the same transaction), not by sql/041's
-- `jobs_flow_trigger`: the trigger runs on the worker's shard, where the outbox (local to the
-- coordinator) does not exist, so every job insert or status change failed there once a tenant
-- had a flow triggered by a job status. A single PostgreSQL keeps the trigger and the code does
-- nothing extra (as sql/110 does for the events' fan-out).
DO $$
BEGIN
    IF fieldline_citus() THEN
        -- Citus takes trigger DDL on a distributed table only with this on (as sql/080 does).
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        DROP TRIGGER IF EXISTS jobs_flow_trigger ON jobs;
    END IF;
END $$;
