-- The supply-chain network: organizations (hierarchy + horizontal relations), members with
-- their messaging identities, crews and service areas.

CREATE TABLE organizations (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('company', 'partner', 'subcontractor', 'customer')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    parent_id     uuid,
    -- Ids from the root down to this organization, itself included: subtree and ancestor
    -- queries are one indexed lookup instead of a recursive walk.
    path          uuid[] NOT NULL,
    tags          text[] NOT NULL DEFAULT '{}',
    external_ref  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES organizations (tenant_id, id),
    CHECK (path[cardinality(path)] = id),
    CHECK (parent_id IS NULL OR path[cardinality(path) - 1] = parent_id)
);
CREATE INDEX organizations_path_idx ON organizations USING gin (path);
CREATE INDEX organizations_parent_idx ON organizations (tenant_id, parent_id);
CREATE INDEX organizations_tags_idx ON organizations USING gin (tags);

-- Horizontal links between peers, stored once with the smaller id first.
CREATE TABLE organization_relations (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    organization_id  uuid NOT NULL,
    peer_id          uuid NOT NULL,
    kind             text NOT NULL DEFAULT 'peer' CHECK (length(kind) BETWEEN 1 AND 50),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, organization_id, peer_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, peer_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    CHECK (organization_id < peer_id)
);
CREATE INDEX organization_relations_peer_idx ON organization_relations (tenant_id, peer_id);

CREATE TABLE members (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    organization_id  uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone            text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    email            text,
    title            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX members_organization_idx ON members (tenant_id, organization_id);

CREATE TABLE member_identities (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    member_id    uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('whatsapp', 'telegram', 'sms', 'messenger', 'app')),
    external_id  text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, kind, external_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX member_identities_member_idx ON member_identities (tenant_id, member_id);

CREATE TABLE crews (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    organization_id  uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    crew_code        text NOT NULL CHECK (crew_code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, crew_code),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX crews_organization_idx ON crews (tenant_id, organization_id);

CREATE TABLE crew_members (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    crew_id    uuid NOT NULL,
    member_id  uuid NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, crew_id, member_id),
    FOREIGN KEY (tenant_id, crew_id) REFERENCES crews (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX crew_members_member_idx ON crew_members (tenant_id, member_id);

CREATE TABLE service_areas (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    organization_id  uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    latitude         double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude        double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    radius_km        double precision NOT NULL CHECK (radius_km > 0 AND radius_km <= 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX service_areas_organization_idx ON service_areas (tenant_id, organization_id);
