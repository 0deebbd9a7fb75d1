-- Row-level security on every tenant-owned table: enabled and forced (the table owner, which
-- the server connects as, is subject to it too).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'organizations', 'organization_relations', 'members', 'member_identities', 'crews',
        'crew_members', 'service_areas', 'users', 'teams', 'team_members', 'api_keys',
        'idempotency_keys'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) '
            'WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
