-- Stream events keyed by job (docs/stream.md, "Jobs on the stream").
--
-- Until now every stream event named a conversation, and an agent received it when they could
-- see that conversation. A job's life (created, offered, started, completed, cancelled, …) has
-- no conversation of its own unless it was opened from one, so an agent watching their jobs
-- heard nothing of a job broadcast from the API or of a `PATCH` that started or completed it.
--
-- Now an event may name a job (`job_id`), with or without a conversation. It reaches whoever
-- may see the conversation (as before) or the job (as `GET /v1/jobs/{id}` judges it), once.
DO $$
BEGIN
    IF fieldline_citus() THEN
        -- Several DDL statements on distributed tables in one transaction (as sql/080 does).
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
END
$$;

ALTER TABLE stream_pending ADD COLUMN job_id uuid;
ALTER TABLE stream_pending ALTER COLUMN conversation_id DROP NOT NULL;

ALTER TABLE stream_events ADD COLUMN job_id uuid;
ALTER TABLE stream_events ALTER COLUMN conversation_id DROP NOT NULL;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_names_something
    CHECK (conversation_id IS NOT NULL OR job_id IS NOT NULL);
-- The reader's second pass (events a viewer sees through their job) walks only these.
CREATE INDEX stream_events_job_idx ON stream_events (tenant_id, id) WHERE job_id IS NOT NULL;

ALTER TABLE stream_events DROP CONSTRAINT stream_events_kind_check;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_kind_check CHECK (kind IN (
    'message.created', 'conversation.opened', 'conversation.assigned',
    'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed',
    'offer.accepted', 'offer.declined', 'offer.expired', 'offer.withdrawn',
    'job.created', 'job.offered', 'job.assigned', 'job.started', 'job.completed', 'job.cancelled',
    'job.reopened', 'job.expired',
    'flow_run.started', 'flow_run.advanced', 'flow_run.handed_off', 'flow_run.ended'));

-- stream_publish() as sql/082 wrote it, now carrying job_id in both forms.
CREATE OR REPLACE FUNCTION stream_publish(tenant_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    each_tenant uuid;
    moved integer;
    newest bigint;
    published integer := 0;
    batch bigint[];
    rows_sql text;
    r stream_pending;
    citus boolean := fieldline_citus();
BEGIN
    PERFORM pg_advisory_xact_lock(7007, 0);
    FOREACH each_tenant IN ARRAY coalesce(tenant_ids, ARRAY(SELECT id FROM tenants ORDER BY id)) LOOP
        IF NOT citus THEN
            PERFORM set_config('app.tenant_id', each_tenant::text, true);
            WITH moved_rows AS (
                DELETE FROM stream_pending p WHERE p.tenant_id = each_tenant RETURNING p.*
            ), inserted AS (
                INSERT INTO stream_events (tenant_id, id, conversation_id, job_id, kind, message_id, prior_assignee_id,
                                           prior_team_id, data, created_at)
                SELECT m.tenant_id, nextval('stream_events_id_seq'), m.conversation_id, m.job_id, m.kind, m.message_id,
                       m.prior_assignee_id, m.prior_team_id, m.data, m.created_at
                -- The ordered subquery is not flattened, so ids follow the order events were written.
                FROM (SELECT * FROM moved_rows ORDER BY pending_id) m
                RETURNING id
            )
            SELECT count(*), max(id) INTO moved, newest FROM inserted;
        ELSE
            -- As sql/082: SET LOCAL reaches the workers; one read numbered here, then one
            -- multi-row INSERT and one DELETE of exactly those rows, each on the shard.
            EXECUTE format('SET LOCAL app.tenant_id = %L', each_tenant);
            batch := ARRAY[]::bigint[];
            rows_sql := NULL;
            FOR r IN EXECUTE format('SELECT * FROM stream_pending p WHERE p.tenant_id = %L ORDER BY p.pending_id', each_tenant) LOOP
                newest := nextval('stream_events_id_seq');
                batch := batch || r.pending_id;
                rows_sql := concat_ws(', ', rows_sql, format('(%L, %s, %L, %L, %L, %L, %L, %L, %L, %L)', r.tenant_id, newest,
                    r.conversation_id, r.job_id, r.kind, r.message_id, r.prior_assignee_id, r.prior_team_id, r.data, r.created_at));
            END LOOP;
            moved := coalesce(cardinality(batch), 0);
            IF moved > 0 THEN
                EXECUTE 'INSERT INTO stream_events (tenant_id, id, conversation_id, job_id, kind, message_id, prior_assignee_id, '
                        'prior_team_id, data, created_at) VALUES ' || rows_sql;
                EXECUTE format('DELETE FROM stream_pending p WHERE p.tenant_id = %L AND p.pending_id = ANY (%L::bigint[])',
                               each_tenant, batch);
            END IF;
        END IF;
        IF moved > 0 THEN
            PERFORM pg_notify('fieldline_stream', each_tenant::text || ':' || newest);
            published := published + moved;
        END IF;
    END LOOP;
    IF citus THEN
        EXECUTE 'SET LOCAL app.tenant_id = ''''';
    ELSE
        PERFORM set_config('app.tenant_id', '', true);
    END IF;
    RETURN published;
END
$$;
