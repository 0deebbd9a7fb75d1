-- Offers whose messages are still to be written (docs/dispatch.md, "Large rounds: the fan-out"):
-- a broadcast commits every offer of its round at once and writes the messages of the nearest
-- ones itself; the outbox job `dispatch.deliver` writes the rest after commit, in chunks, under
-- the job's row lock, and clears the mark. Existing offers were all delivered when made.
ALTER TABLE offers ADD COLUMN delivery_pending boolean NOT NULL DEFAULT false;
CREATE INDEX offers_delivery_pending_idx ON offers (tenant_id, job_id, distance_m) WHERE delivery_pending;
