-- Distribution on Citus (docs/scaling.md). The same sql/ serves a single PostgreSQL and a Citus
-- cluster: where the `citus` extension is present, migrations call these helpers to distribute
-- each tenant table by tenant_id (all co-located, so a tenant's rows of every table live on one
-- node and joins and foreign keys stay on it), to make the global look-ups reference tables (a
-- copy on every node), and to keep the outbox and the login counters local to the coordinator.
-- Without Citus every helper returns at once and changes nothing.
--
-- A migration that creates a tenant table once the others are distributed creates it without
-- foreign keys, calls `SELECT fieldline_distribute('the_table');`, then adds its foreign keys
-- with ALTER TABLE (on Citus a local table cannot refer to a distributed one);
-- `fieldline_distribute_all()` (run by 089 and safe to run again) distributes whatever is left,
-- taking the foreign keys off and putting them back, which is how a database made before these
-- helpers (or a table a migration forgot) gets distributed.

CREATE FUNCTION fieldline_citus() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')
$$;

-- The tables that are not per tenant: 'reference' (read before a tenant is known, joined from
-- tenant tables) or 'local' (claimed across tenants, or keyed by something else than a tenant).
CREATE FUNCTION fieldline_global_kind(p_table regclass) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_table::text
        WHEN 'tenants' THEN 'reference'
        WHEN 'login_lookup' THEN 'reference'
        WHEN 'api_key_lookup' THEN 'reference'
        WHEN 'adapter_lookup' THEN 'reference'
        WHEN 'outbox' THEN 'local'
        WHEN 'login_throttle' THEN 'local'
        WHEN 'login_known_addresses' THEN 'local'
        WHEN 'schema_migrations' THEN 'local'
    END
$$;

-- Whether the relation is a shard Citus made (the coordinator holds those of reference tables).
CREATE FUNCTION fieldline_is_shard(p_table regclass) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    found boolean;
BEGIN
    IF NOT fieldline_citus() THEN RETURN false; END IF;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_dist_shard s WHERE s.logicalrelid::regclass::text || ''_'' || s.shardid = $1::text)'
        INTO found USING p_table;
    RETURN found;
END $$;

-- Whether Citus already placed the table (distributed, reference or a Citus local table).
CREATE FUNCTION fieldline_is_distributed(p_table regclass) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    found boolean;
BEGIN
    IF NOT fieldline_citus() THEN RETURN false; END IF;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = $1 AND partmethod IN (''h'', ''n'') AND (partmethod = ''h'' OR repmodel = ''t''))'
        INTO found USING p_table;
    RETURN found;
END $$;

-- Distributes one table as its kind says: a tenant table by tenant_id, co-located with every
-- other; a reference table everywhere; a local table stays. A no-op without Citus, and for a
-- table already placed.
CREATE FUNCTION fieldline_distribute(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    kind text := coalesce(fieldline_global_kind(p_table), 'tenant');
BEGIN
    IF NOT fieldline_citus() OR kind = 'local' OR fieldline_is_distributed(p_table) THEN RETURN; END IF;
    -- One connection per node for the rest of the migration's transaction: Citus adds a foreign
    -- key to a table distributed in the same transaction only then.
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    IF kind = 'reference' THEN
        PERFORM create_reference_table(p_table);
    ELSE
        PERFORM create_distributed_table(p_table, 'tenant_id', colocate_with => 'default');
    END IF;
END $$;

-- Distributes every table of the schema not placed yet: takes off the foreign keys that touch
-- one (Citus cannot distribute a table a local table refers to), distributes, puts them back.
-- A no-op without Citus.
CREATE FUNCTION fieldline_distribute_all() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    fk record;
    t regclass;
    placed integer := 0;
BEGIN
    IF NOT fieldline_citus() THEN RETURN 0; END IF;
    -- The job history and webhook fan-out triggers write co-located rows of the same tenant.
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    CREATE TEMP TABLE fieldline_dropped_fks ON COMMIT DROP AS
        SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND NOT fieldline_is_shard(c.conrelid)
          AND (NOT fieldline_is_distributed(c.conrelid) OR NOT fieldline_is_distributed(c.confrelid))
          AND fieldline_global_kind(c.conrelid) IS DISTINCT FROM 'local';
    FOR fk IN SELECT * FROM fieldline_dropped_fks LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
    -- Reference tables first: tenant tables refer to them.
    FOR t IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND coalesce(fieldline_global_kind(c.oid), 'tenant') <> 'local'
          AND NOT fieldline_is_distributed(c.oid) AND NOT fieldline_is_shard(c.oid)
        ORDER BY fieldline_global_kind(c.oid) IS NULL, c.relname
    LOOP
        PERFORM fieldline_distribute(t);
        placed := placed + 1;
    END LOOP;
    FOR fk IN SELECT * FROM fieldline_dropped_fks LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.def);
    END LOOP;
    DROP TABLE fieldline_dropped_fks;
    RETURN placed;
END $$;

-- The tenant tables Citus has not distributed: empty when all is well (the Citus test fails
-- naming them), every tenant table without Citus.
CREATE FUNCTION fieldline_undistributed_tables() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT c.relname::text FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND coalesce(fieldline_global_kind(c.oid), 'tenant') <> 'local'
      AND NOT fieldline_is_distributed(c.oid) AND NOT fieldline_is_shard(c.oid)
    ORDER BY 1
$$;
