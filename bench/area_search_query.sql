-- One area search as GET /v1/jobs/{id}/candidates runs it (PostgresDispatchRepository), at a
-- random site over mainland Spain, for a job needing `electric`, under row-level security.
\set lat random(3700, 4300)
\set lon random(-800, 200)
BEGIN;
SELECT set_config('app.tenant_id', '00000000-0000-4000-8000-000000000001', true);
SELECT o.id, o.name, d.id, d.name, d.distance FROM (
    SELECT DISTINCT ON (a.organization_id) a.organization_id, a.id, a.name,
           fieldline_distance_m(a.latitude, a.longitude, :lat / 100.0, :lon / 100.0) AS distance
    FROM service_areas a
    WHERE a.tenant_id = '00000000-0000-4000-8000-000000000001'
      AND a.bounds @> fieldline_earth_point(:lat / 100.0, :lon / 100.0)
      AND fieldline_distance_m(a.latitude, a.longitude, :lat / 100.0, :lon / 100.0) <= a.radius_km * 1000
    ORDER BY a.organization_id, distance, a.id
) AS d
JOIN organizations o ON o.tenant_id = '00000000-0000-4000-8000-000000000001' AND o.id = d.organization_id
WHERE o.kind = 'subcontractor' AND o.tags @> ARRAY['electric']::text[]
ORDER BY d.distance, o.id
LIMIT 50;
COMMIT;
