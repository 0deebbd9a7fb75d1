-- Area search for dispatch: which subcontractors' service areas cover a job's site, through a
-- spatial index (docs/dispatch.md explains the choice). A point on Earth becomes a point in 3-D
-- space (metres from the Earth's centre, on a sphere of the mean radius the Domain's haversine
-- uses), and each area gets a box around its centre enlarged by its radius: every point within
-- the radius along the surface is within the radius in a straight line too, so it lies in the
-- box. A GiST index over the boxes finds the few areas whose box holds the site; the exact
-- great-circle distance then keeps those whose circle does.
--
-- `cube` and `btree_gist` are trusted extensions (contrib, PostgreSQL 13+): the app role creates
-- them when it owns the database, as it does for `scripts/run`, `scripts/test` and Docker.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE FUNCTION fieldline_earth_point(latitude double precision, longitude double precision) RETURNS cube
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN cube(ARRAY[
        6371008.8 * cos(radians(latitude)) * cos(radians(longitude)),
        6371008.8 * cos(radians(latitude)) * sin(radians(longitude)),
        6371008.8 * sin(radians(latitude))]);

-- Great-circle distance in metres (haversine, mean Earth radius), as `GeoPoint.distanceKilometres`.
CREATE FUNCTION fieldline_distance_m(
    latitude1 double precision, longitude1 double precision, latitude2 double precision, longitude2 double precision
) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN 2 * 6371008.8 * asin(least(1, sqrt(
        sin(radians(latitude2 - latitude1) / 2) ^ 2
        + cos(radians(latitude1)) * cos(radians(latitude2)) * sin(radians(longitude2 - longitude1) / 2) ^ 2)));

ALTER TABLE service_areas ADD COLUMN bounds cube
    GENERATED ALWAYS AS (cube_enlarge(fieldline_earth_point(latitude, longitude), radius_km * 1000, 3)) STORED;

CREATE INDEX service_areas_bounds_idx ON service_areas USING gist (tenant_id, bounds);
