-- stream_publish() on Citus (docs/scaling.md). The single-node body is 014's, unchanged: one
-- statement per tenant that moves the pending rows into stream_events. Citus cannot plan that
-- statement (a data-modifying CTE feeding an INSERT that draws the coordinator's sequence), and
-- row-level security on the workers reads app.tenant_id, which set_config() does not send them.
-- So on Citus each tenant's batch is: its committed pending rows read once and numbered in
-- pending order (by the coordinator's sequence, under the same advisory lock, so ids still
-- become visible strictly in id order), inserted into stream_events, then exactly those rows
-- deleted. The publisher calls it inside a transaction block, where Citus sends `SET LOCAL`. Only publishers delete pending rows and they take turns, so a row seen by the first
-- statement is still there for the others: nothing is skipped or published twice.
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
                INSERT INTO stream_events (tenant_id, id, conversation_id, kind, message_id, prior_assignee_id,
                                           prior_team_id, data, created_at)
                SELECT m.tenant_id, nextval('stream_events_id_seq'), m.conversation_id, m.kind, m.message_id,
                       m.prior_assignee_id, m.prior_team_id, m.data, m.created_at
                -- The ordered subquery is not flattened, so ids follow the order events were written.
                FROM (SELECT * FROM moved_rows ORDER BY pending_id) m
                RETURNING id
            )
            SELECT count(*), max(id) INTO moved, newest FROM inserted;
        ELSE
            -- SET LOCAL, not set_config(): Citus sends it to the workers (propagate_set_commands).
            EXECUTE format('SET LOCAL app.tenant_id = %L', each_tenant);
            -- One read of the batch on the tenant's shard, numbered here in pending order (the
            -- coordinator's sequence: a nextval() inside the read would run on the worker, from
            -- that node's own range); then one multi-row INSERT and one DELETE, each on the
            -- shard. Literal values (EXECUTE): Citus plans no INSERT ... SELECT with parameters,
            -- and copies one between shards with COPY, which row-level security refuses.
            batch := ARRAY[]::bigint[];
            rows_sql := NULL;
            FOR r IN EXECUTE format('SELECT * FROM stream_pending p WHERE p.tenant_id = %L ORDER BY p.pending_id', each_tenant) LOOP
                newest := nextval('stream_events_id_seq');
                batch := batch || r.pending_id;
                rows_sql := concat_ws(', ', rows_sql, format('(%L, %s, %L, %L, %L, %L, %L, %L, %L)', r.tenant_id, newest,
                    r.conversation_id, r.kind, r.message_id, r.prior_assignee_id, r.prior_team_id, r.data, r.created_at));
            END LOOP;
            moved := coalesce(cardinality(batch), 0);
            IF moved > 0 THEN
                EXECUTE 'INSERT INTO stream_events (tenant_id, id, conversation_id, kind, message_id, prior_assignee_id, '
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
