-- Stream events are written without a lock and without NOTIFY, and numbered after commit.
--
-- Until now a writer took a per-tenant advisory lock just before drawing its stream_events id
-- and sent a NOTIFY, both held until its commit ended. That kept ids visible in id order, but
-- it serialised the commits of one tenant's writes; and every transaction that sends a NOTIFY
-- also takes PostgreSQL's one database-wide notify lock at commit, which serialises the commits
-- of every notifying transaction of the database.
--
-- Now a writer only inserts its events here, in its own transaction, and wakes its server's
-- publisher once it has committed. The publisher calls stream_publish(), which moves the
-- committed pending events of the given tenants into stream_events, numbering them from the
-- one sequence, and sends one NOTIFY per tenant. Publishers of every instance take the same
-- transaction advisory lock (class 7007, key 0), held until their commit, so one publication
-- commits at a time and stream ids become visible strictly in id order: a reader that has seen
-- id N can never later find a smaller one. Writers commit concurrently (and share WAL flushes);
-- the lock and the notify are paid once per batch of events, by the publisher.
--
-- A writer that dies between its commit and the wake-up leaves its events here: every
-- publisher also sweeps all tenants periodically and when it starts, so they are published
-- late but never lost.
CREATE TABLE stream_pending (
    tenant_id          uuid NOT NULL,
    pending_id         bigint GENERATED ALWAYS AS IDENTITY,
    conversation_id    uuid NOT NULL,
    kind               text NOT NULL,
    message_id         uuid,
    prior_assignee_id  uuid,
    prior_team_id      uuid,
    data               jsonb NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, pending_id)
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
-- No foreign keys: a row lives for milliseconds, and the keys are checked when it is moved
-- into stream_events.

ALTER TABLE stream_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE stream_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stream_pending USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());

-- Publishes the committed pending events of `tenant_ids` (every tenant when NULL) and returns
-- how many it published. Call it as a statement of its own: the lock it takes is held until
-- the end of its transaction. It sets app.tenant_id (transaction-locally) to each tenant in
-- turn, so row-level security applies to everything it reads and writes.
CREATE FUNCTION stream_publish(tenant_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql
    -- It runs hundreds of times a second under load: plan its statements once, not per call.
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    each_tenant uuid;
    moved integer;
    newest bigint;
    published integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(7007, 0);
    FOREACH each_tenant IN ARRAY coalesce(tenant_ids, ARRAY(SELECT id FROM tenants ORDER BY id)) LOOP
        PERFORM set_config('app.tenant_id', each_tenant::text, true);
        WITH moved_rows AS (
            DELETE FROM stream_pending p WHERE p.tenant_id = each_tenant RETURNING p.*
        ), inserted AS (
            INSERT INTO stream_events (tenant_id, id, conversation_id, kind, message_id, prior_assignee_id,
                                       prior_team_id, data, created_at)
            SELECT m.tenant_id, nextval('stream_events_id_seq'), m.conversation_id, m.kind, m.message_id,
                   m.prior_assignee_id, m.prior_team_id, m.data, m.created_at
            -- The ordered subquery is not flattened, so ids follow the order events were written.
            FROM (SELECT * FROM moved_rows ORDER BY pending_id) m
            RETURNING id
        )
        SELECT count(*), max(id) INTO moved, newest FROM inserted;
        IF moved > 0 THEN
            PERFORM pg_notify('fieldline_stream', each_tenant::text || ':' || newest);
            published := published + moved;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
    RETURN published;
END
$$;
