-- On Citus: distribute every table (080's helpers; a no-op on a single PostgreSQL). Numbered
-- after every migration that creates tables, so on a new database they all exist by now.
--
-- Citus refuses triggers on distributed tables that write other tables from a shard; the
-- look-ups (login, API key, adapter) and the account notifications are written by the code that
-- writes the owning row, in the same transaction, on every database (on a single PostgreSQL
-- these triggers stay, as a second guard, and write nothing the code has not written).
DO $$
BEGIN
    IF fieldline_citus() THEN
        DROP TRIGGER users_login_lookup ON users;
        DROP TRIGGER users_account_changed ON users;
        DROP TRIGGER users_account_deleted ON users;
        DROP TRIGGER api_keys_lookup ON api_keys;
        DROP TRIGGER adapters_lookup ON adapters;
        -- Row-level security reads app.tenant_id on the workers too: `SET LOCAL` reaches them.
        EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local');
        SET LOCAL citus.propagate_set_commands = 'local';
    END IF;
END $$;

SELECT fieldline_distribute_all();

-- Row-level security on Citus is enforced where the rows are: on each worker's shards (Citus
-- created them with the policies, forced), with app.tenant_id sent by `SET LOCAL`. On the
-- coordinator the distributed tables are empty shells; were their policies forced there too,
-- Citus would plan every INSERT ... SELECT by pulling the rows to the coordinator and copying
-- them back with COPY, which row-level security refuses. So only the shells stop forcing it
-- (for the owner, the role the server connects as; others stay subject to it), with DDL
-- propagation off so the shards keep theirs. The Citus test checks the shards.
DO $$
DECLARE
    t regclass;
BEGIN
    IF fieldline_citus() THEN
        SET LOCAL citus.enable_ddl_propagation = off;
        FOR t IN EXECUTE 'SELECT logicalrelid FROM pg_dist_partition WHERE partmethod = ''h''' LOOP
            IF (SELECT relforcerowsecurity FROM pg_class WHERE oid = t) THEN
                EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', t);
            END IF;
        END LOOP;
        SET LOCAL citus.enable_ddl_propagation = on;
    END IF;
END $$;
