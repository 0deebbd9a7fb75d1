-- The history of a job and its offers, for the case timeline (GET /v1/jobs/{id}/timeline,
-- docs/dispatch.md): every status change, who made it and when. Triggers write it, so every
-- path that changes a job or an offer (the API, an Accept from a member's app, a timer) is
-- recorded the same way; the writer names itself with `SELECT set_config('app.actor', …, true)`
-- (`user:<id>`, `api_key:<id>`, `member:<id>`), and a change without one is the system's.
-- This is the timeline's record, not the event log for integrations (issue 14).
CREATE TABLE job_history (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    job_id           uuid NOT NULL,
    -- Set for a change of one of the job's offers.
    offer_id         uuid,
    from_status      text,
    to_status        text NOT NULL,
    -- The job's subcontractor after the change, or the offer's.
    organization_id  uuid,
    crew_id          uuid,
    actor            text NOT NULL,
    at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX job_history_job_idx ON job_history (tenant_id, job_id, id);

ALTER TABLE job_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_history USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

CREATE FUNCTION fieldline_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('app.actor', true), ''), 'system')
$$;

CREATE FUNCTION fieldline_job_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_history (tenant_id, job_id, to_status, organization_id, crew_id, actor)
        VALUES (NEW.tenant_id, NEW.id, NEW.status, NEW.organization_id, NEW.crew_id, fieldline_actor());
    ELSIF NEW.status IS DISTINCT FROM OLD.status OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
          OR NEW.crew_id IS DISTINCT FROM OLD.crew_id THEN
        INSERT INTO job_history (tenant_id, job_id, from_status, to_status, organization_id, crew_id, actor)
        VALUES (NEW.tenant_id, NEW.id, OLD.status, NEW.status, NEW.organization_id, NEW.crew_id, fieldline_actor());
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_history AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION fieldline_job_history();

CREATE FUNCTION fieldline_offer_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_history (tenant_id, job_id, offer_id, to_status, organization_id, actor)
        VALUES (NEW.tenant_id, NEW.job_id, NEW.id, NEW.status, NEW.organization_id, fieldline_actor());
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO job_history (tenant_id, job_id, offer_id, from_status, to_status, organization_id, actor)
        VALUES (NEW.tenant_id, NEW.job_id, NEW.id, OLD.status, NEW.status, NEW.organization_id,
                CASE WHEN NEW.status IN ('accepted', 'declined') AND NEW.answered_by_member_id IS NOT NULL
                     THEN 'member:' || NEW.answered_by_member_id ELSE fieldline_actor() END);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER offers_history AFTER INSERT OR UPDATE ON offers FOR EACH ROW EXECUTE FUNCTION fieldline_offer_history();
