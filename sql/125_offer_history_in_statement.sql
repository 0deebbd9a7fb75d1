-- A broadcast inserts up to 10,000 offers in one statement (docs/dispatch.md, "Large rounds").
-- Each row paid for a plpgsql trigger writing its `job_history` row one at a time (about 40 %
-- of the statement), and for a check of the one `tenants` row that its key to its job already
-- implies. So:
--
-- * The statement that creates offers writes their creation rows itself, set-based, in the same
--   statement (`DispatchEngine.send`, the only place offers are inserted; the timeline tests
--   check every offer's `offer.sent`). The trigger records their changes: it fires on UPDATE
--   only, and only when the status changed (clearing `delivery_pending` on 10,000 rows, as the
--   fan-out does, no longer calls it per row to write nothing).
-- * offers and offer_recipients drop their key to `tenants`, as sql/017 did for the tables every
--   message writes: an offer keeps (tenant_id, job_id) -> jobs, all NOT NULL, and the job its own
--   key to `tenants`; a recipient keeps (tenant_id, offer_id) -> offers.
DO $$
BEGIN
    IF fieldline_citus() THEN
        -- The trigger writes co-located rows of the same tenant (as sql/080 distributes it).
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        -- Several DDL statements on distributed tables in one transaction (as sql/080 does).
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
END $$;

DROP TRIGGER offers_history ON offers;
CREATE TRIGGER offers_history AFTER UPDATE ON offers FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION fieldline_offer_history();

ALTER TABLE offers DROP CONSTRAINT IF EXISTS offers_tenant_id_fkey;
ALTER TABLE offer_recipients DROP CONSTRAINT IF EXISTS offer_recipients_tenant_id_fkey;
