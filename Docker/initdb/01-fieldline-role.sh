#!/usr/bin/env bash
# Creates the application role `fieldline` and the database `fieldline` it owns.
#
# The official postgres image runs this once, when it initialises an empty data volume: it
# executes every executable *.sh in /docker-entrypoint-initdb.d with the POSTGRES_* variables
# set, against a temporary server on the local socket. (Keep the file executable: a
# non-executable one would be sourced into the image's entrypoint instead.) It is safe to run
# again, e.g. after changing FIELDLINE_DB_PASSWORD:
#
#   docker compose exec -u postgres -e FIELDLINE_DB_PASSWORD=... postgres \
#       /docker-entrypoint-initdb.d/01-fieldline-role.sh
#
# The role is deliberately NOSUPERUSER and NOBYPASSRLS: the server connects as it, so
# PostgreSQL's row-level security (tenant isolation) applies to every statement it runs.
# Owning the database lets it apply the migrations (tables, functions, policies) in `public`.
set -euo pipefail

app_role=fieldline
app_db=fieldline
app_password=${FIELDLINE_DB_PASSWORD:-fieldline}
admin=${POSTGRES_USER:-postgres}

if [ "$admin" = "$app_role" ]; then
    echo "01-fieldline-role.sh: POSTGRES_USER must not be '$app_role': the server would connect as a superuser and bypass row-level security" >&2
    exit 1
fi

# Values travel as psql variables and are quoted by format() (%I identifiers, %L literals), so
# any password is safe. \gexec runs each generated statement on its own (CREATE DATABASE cannot
# run inside a transaction block).
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$admin" --dbname postgres \
    --set=app_role="$app_role" --set=app_db="$app_db" --set=app_password="$app_password" <<'SQL'
SELECT format('CREATE ROLE %I', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'app_role')
\gexec

-- Always (re)assert the attributes and password, so a rerun repairs a role created otherwise.
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
              :'app_role', :'app_password')
\gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'app_db')
\gexec

-- A database that already existed (e.g. POSTGRES_DB=fieldline) belongs to the superuser: hand
-- it over. On PostgreSQL 15 the owner of the database is the one allowed to create in `public`.
SELECT format('ALTER DATABASE %I OWNER TO %I', :'app_db', :'app_role')
\gexec
SQL

# Area search (docs/dispatch.md) probes a GiST index with cube's @>: under row-level security
# PostgreSQL uses an index only for LEAKPROOF operators, and only a superuser can mark one.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$admin" --dbname "$app_db" <<'SQL'
CREATE EXTENSION IF NOT EXISTS cube;
ALTER FUNCTION cube_contains(cube, cube) LEAKPROOF;
SQL

echo "01-fieldline-role.sh: role '$app_role' (NOSUPERUSER NOBYPASSRLS) owns database '$app_db'"
