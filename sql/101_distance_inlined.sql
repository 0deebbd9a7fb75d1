-- fieldline_distance_m (sql/021) again, so that PostgreSQL inlines it into the area search: a
-- STRICT SQL function is inlined only when its body provably returns NULL for a NULL argument,
-- and `least()` skips NULLs, so the old body ran as a function call for every candidate area
-- (twice: the radius filter and the distance), about 60 % of the search's time at 100,000 areas
-- (bench/README.md, area search, 2026-12-04 21:50). Same values; a NULL argument still gives NULL.
CREATE OR REPLACE FUNCTION fieldline_distance_m(
    latitude1 double precision, longitude1 double precision, latitude2 double precision, longitude2 double precision
) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 2 * 6371008.8 * asin(CASE
        WHEN sin(radians(latitude2 - latitude1) / 2) ^ 2
             + cos(radians(latitude1)) * cos(radians(latitude2)) * sin(radians(longitude2 - longitude1) / 2) ^ 2 > 1 THEN 1
        ELSE sqrt(sin(radians(latitude2 - latitude1) / 2) ^ 2
             + cos(radians(latitude1)) * cos(radians(latitude2)) * sin(radians(longitude2 - longitude1) / 2) ^ 2)
        END);
