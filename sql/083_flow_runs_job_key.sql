-- Citus refuses ON DELETE SET NULL on a foreign key that includes tenant_id (see 081). A flow
-- run keeps its job: jobs are never deleted one by one (only with their tenant, whose deletion
-- empties tables in the order their keys allow), so the key needs no delete action.
ALTER TABLE flow_runs DROP CONSTRAINT flow_runs_tenant_id_job_id_fkey,
    ADD CONSTRAINT flow_runs_tenant_id_job_id_fkey FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id);
