-- On Citus, an event's txid is the id of the transaction that wrote it on the worker holding the
-- tenant's shard, the node where the feed's horizon is read (docs/events.md, "How commit order
-- works"; docs/scaling.md). The column's default, pg_current_xact_id(), is a volatile function,
-- which Citus evaluates on the coordinator for every shape of insert into a distributed table
-- (VALUES, INSERT … SELECT pushed down or pulled up): the row got the coordinator's transaction
-- id. The feed's statement is sent whole to the worker, so its horizon,
-- pg_snapshot_xmin(pg_current_snapshot()), is the worker's: the two counters are unrelated, and
-- a late commit could be skipped (the coordinator's ids below the worker's horizon) or the feed
-- held back for good (above it). This trigger, which runs on the shard, sets txid to the worker's
-- own transaction id. On the worker the single-node argument holds: a transaction there that
-- has not committed (prepared, under Citus's two-phase commit, included) is at or above the
-- horizon, and one below it has ended and its rows are visible. The coordinator's id would not
-- do even with the horizon read there: under two-phase commit the coordinator commits first
-- and the workers' COMMIT PREPARED follows, so a coordinator transaction can have ended while
-- its rows on the worker are not visible yet.
--
-- A single PostgreSQL keeps the default alone (no trigger): there the default already is the
-- writer's transaction id, on the node that reads the horizon.
CREATE FUNCTION events_txid_on_shard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    RETURN NEW;
END $$;

DO $$
BEGIN
    IF fieldline_citus() THEN
        -- Citus takes trigger DDL on a distributed table only with this on (as sql/110 does).
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        CREATE TRIGGER events_txid_on_shard BEFORE INSERT ON events
            FOR EACH ROW EXECUTE FUNCTION events_txid_on_shard();
    END IF;
END $$;
