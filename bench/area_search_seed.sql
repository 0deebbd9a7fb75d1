-- Seeds the area-search benchmark (bench/run-area-search): one large tenant with :areas service
-- areas over mainland Spain (five per subcontractor, radius 5–50 km, one or two of four tags),
-- and :others small tenants with ten subcontractors and areas each. Run as the application role:
-- each tenant's rows are written under its own app.tenant_id, as row-level security requires.
\set ON_ERROR_STOP on
-- psql variables do not reach inside the DO block's quotes: they travel as settings.
SELECT set_config('bench.areas', :'areas', false), set_config('bench.others', :'others', false) \gset
DO $$
DECLARE
    big uuid := '00000000-0000-4000-8000-000000000001';
    t uuid;
    n int;
    areas int := current_setting('bench.areas')::int;
    others int := current_setting('bench.others')::int;
BEGIN
    INSERT INTO tenants (id, name, slug) VALUES (big, 'Big utility', 'big-utility');
    PERFORM set_config('app.tenant_id', big::text, true);
    INSERT INTO organizations (tenant_id, id, kind, name, path, tags)
    SELECT big, o.id, 'subcontractor', 'Sub ' || o.i, ARRAY[o.id],
           CASE o.i % 4 WHEN 0 THEN ARRAY['electric'] WHEN 1 THEN ARRAY['electric', 'gas'] WHEN 2 THEN ARRAY['water'] ELSE ARRAY['towing', 'electric'] END
    FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, areas / 5) AS i) AS o;
    INSERT INTO service_areas (tenant_id, id, organization_id, name, latitude, longitude, radius_km)
    SELECT big, gen_random_uuid(), o.id, 'Area ' || a, 36.5 + random() * 7, -8.5 + random() * 11, 5 + random() * 45
    FROM organizations o, generate_series(1, 5) AS a
    WHERE o.tenant_id = big;
    FOR n IN 1..others LOOP
        t := gen_random_uuid();
        INSERT INTO tenants (id, name, slug) VALUES (t, 'Tenant ' || n, 'tenant-' || n);
        PERFORM set_config('app.tenant_id', t::text, true);
        WITH o AS (
            INSERT INTO organizations (tenant_id, id, kind, name, path, tags)
            SELECT t, id, 'subcontractor', 'Sub ' || i, ARRAY[id], ARRAY['electric']
            FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, 10) AS i) AS s
            RETURNING id
        )
        INSERT INTO service_areas (tenant_id, id, organization_id, name, latitude, longitude, radius_km)
        SELECT t, gen_random_uuid(), o.id, 'Area', 36.5 + random() * 7, -8.5 + random() * 11, 5 + random() * 45 FROM o;
    END LOOP;
END $$;
ANALYZE organizations;
ANALYZE service_areas;
