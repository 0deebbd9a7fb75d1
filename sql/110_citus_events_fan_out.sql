-- On Citus the webhook fan-out of business events is done by the code that writes the events
-- (`CitusWrites.fanOut`, right after each events statement, in the same transaction), not by
-- the statement trigger of sql/031: the trigger runs on the worker's shard, where it can reach
-- neither the outbox (a table local to the coordinator) nor webhook_endpoints without a
-- distributed query, so every insert into `events` failed there. A single PostgreSQL keeps the
-- trigger and the code does nothing extra.
DO $$
BEGIN
    IF fieldline_citus() THEN
        -- Citus takes trigger DDL on a distributed table only with this on (as sql/080 does).
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        DROP TRIGGER IF EXISTS events_fan_out ON events;
    END IF;
END $$;
