-- Moving a tenant's shards to another worker without breaking the event feed's order
-- (docs/scaling.md, "Moving shards"; docs/events.md, "How commit order works").
--
-- On Citus an event's txid is the transaction id of the worker that holds the tenant's shard
-- (sql/140). A shard move copies the rows with their txids, the source worker's ids, to a worker
-- with a counter of its own: if that counter is behind, the tenant's next events get txids below
-- events a consumer has already read, and its cursor skips them for good. Before a move the
-- operator catches the target worker's counter up past the source's, which these do; the target
-- then gives every new transaction an id above every moved txid, and its horizon still holds
-- back its own uncommitted writers, so the feed's argument holds on it again.
--
-- Nothing calls these on a single PostgreSQL (one counter, nothing moves): there the procedure
-- is unused and the two functions refuse to run.

-- Takes transaction ids on this node until the next one it gives is above `past`: each loop
-- takes one id (pg_current_xact_id() assigns it) and commits. Such a commit writes only its
-- own record, which PostgreSQL does not wait to flush for a transaction that wrote nothing
-- before it; 60,000 to 100,000 ids a second on the test cluster (docs/scaling.md). Called with
-- CALL outside a transaction block (it commits as it goes), on the node to advance.
CREATE PROCEDURE fieldline_advance_xid(past xid8) LANGUAGE plpgsql AS $$
BEGIN
    WHILE pg_current_xact_id() <= past LOOP
        COMMIT;
    END LOOP;
END $$;

-- The next transaction id of a worker, read on it through the coordinator
-- (pg_snapshot_xmax(pg_current_snapshot()) takes no id): every id that worker has given is
-- below it, the txid of every event on its shards included.
CREATE FUNCTION fieldline_worker_next_xid(node text, port int) RETURNS xid8 LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
    answer text;
BEGIN
    IF NOT fieldline_citus() THEN
        RAISE EXCEPTION 'fieldline_worker_next_xid is for a Citus cluster';
    END IF;
    SELECT success, result INTO ok, answer FROM master_run_on_worker(
        ARRAY[node], ARRAY[port], ARRAY['SELECT pg_snapshot_xmax(pg_current_snapshot())'], false);
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'reading the transaction counter of %:% failed: %', node, port, answer;
    END IF;
    RETURN answer::xid8;
END $$;

-- Before moving shards from the source worker to the target: advances the target's counter past
-- the source's next id plus `margin`, the ids the source may still give until the move has
-- blocked its writes (docs/scaling.md), and returns the target's next id afterwards. Every
-- transaction the target starts from then on gets an id at or above the returned value; after
-- the move, fieldline_worker_next_xid(source) at or below it shows that every moved txid is below
-- every new one. Harmless to the target's other tenants: their ids only go up.
CREATE FUNCTION fieldline_catch_up_xid(
    source_node text, source_port int, target_node text, target_port int, margin bigint
) RETURNS xid8 LANGUAGE plpgsql AS $$
DECLARE
    past xid8;
    ok boolean;
    answer text;
BEGIN
    IF margin < 0 THEN
        RAISE EXCEPTION 'margin must not be negative';
    END IF;
    past := (fieldline_worker_next_xid(source_node, source_port)::text::bigint + margin)::text::xid8;
    SELECT success, result INTO ok, answer FROM master_run_on_worker(
        ARRAY[target_node], ARRAY[target_port], ARRAY[format('CALL fieldline_advance_xid(%L)', past)], false);
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'advancing the transaction counter of %:% failed: %', target_node, target_port, answer;
    END IF;
    RETURN fieldline_worker_next_xid(target_node, target_port);
END $$;
