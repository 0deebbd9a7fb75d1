-- Tenancy foundation: tenants, the row-level-security helper and the global lookup tables.
--
-- Every tenant-owned table has tenant_id leading its primary key, composite (tenant_id, id)
-- foreign keys (foreign-key checks bypass row-level security, so a row can never point into
-- another tenant), and row-level security that is enabled AND forced, with a policy on
-- app_tenant_id(). The server sets app.tenant_id transaction-locally for each request.

-- The tenant of the current transaction, or NULL when none is set (then no row is visible).
CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

-- The registry of tenants (id, name, slug). It is global like the lookups below: it is read to
-- find a tenant by slug before one is set, and holds no data of the tenant's network.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Global lookups used before the tenant is known. They hold keys and tenant ids only.
CREATE TABLE login_lookup (
    email      text PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE TABLE api_key_lookup (
    key_hash   bytea PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);

-- Failed-login counters per account and per client address, shared by every server instance.
CREATE TABLE login_throttle (
    scope         text NOT NULL CHECK (scope IN ('account', 'address')),
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    failures      integer NOT NULL,
    PRIMARY KEY (scope, key)
);
