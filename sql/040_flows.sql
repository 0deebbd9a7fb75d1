-- Bot flows (issue 12, docs/flows.md): a flow is a named, versioned definition. Publishing a
-- new version never changes a run already under way, because a run pins the version it started
-- with; versions are never changed once written.
CREATE TABLE flows (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    enabled          boolean NOT NULL DEFAULT true,
    -- What starts the flow by itself: [{"type": "keyword", "keywords": [...]}, ...] (FlowTrigger).
    triggers         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(triggers) = 'array'),
    -- The version new runs start with: the latest published.
    current_version  integer NOT NULL CHECK (current_version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
ALTER TABLE flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flows
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

CREATE TABLE flow_versions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    flow_id      uuid NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    -- The validated definition (FlowDefinition, format 1).
    definition   jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, flow_id, version),
    FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE flow_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE flow_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flow_versions
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
