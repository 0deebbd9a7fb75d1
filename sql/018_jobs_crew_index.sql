-- Jobs by crew: the `crew_code` filter of GET /v1/jobs, and deleting a crew (its jobs' crew_id
-- is set to null) would otherwise scan every job of the tenant.
CREATE INDEX jobs_crew_idx ON jobs (tenant_id, crew_id) WHERE crew_id IS NOT NULL;
