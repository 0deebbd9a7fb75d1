-- Who may use the API: users (agents, supervisors, admins), teams, API keys, and the stored
-- responses behind Idempotency-Key.

CREATE TABLE users (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    organization_id  uuid,
    email            text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role             text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    password_hash    text NOT NULL,
    disabled_at      timestamptz,
    last_login_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);

-- Keeps the global login lookup in step with users, so no code path can forget it.
CREATE FUNCTION users_sync_login_lookup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM login_lookup WHERE email = OLD.email AND tenant_id = OLD.tenant_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO login_lookup (email, tenant_id) VALUES (NEW.email, NEW.tenant_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_login_lookup
    AFTER INSERT OR DELETE OR UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION users_sync_login_lookup();

CREATE TABLE teams (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE team_members (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    team_id    uuid NOT NULL,
    user_id    uuid NOT NULL,
    role       text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'supervisor')),
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, team_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user_idx ON team_members (tenant_id, user_id);

CREATE TABLE api_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash      bytea NOT NULL UNIQUE,
    prefix        text NOT NULL,
    scopes        text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, id)
);

CREATE FUNCTION api_keys_sync_lookup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO api_key_lookup (key_hash, tenant_id) VALUES (NEW.key_hash, NEW.tenant_id);
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM api_key_lookup WHERE key_hash = OLD.key_hash;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_lookup
    AFTER INSERT OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_sync_lookup();

CREATE TABLE idempotency_keys (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    principal      text NOT NULL,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash   bytea NOT NULL,
    status_code    integer,
    content_type   text,
    response_body  bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
