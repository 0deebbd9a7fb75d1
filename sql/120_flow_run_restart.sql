-- A rejected proof sends the crew's flow run back to its photo step (issue 13,
-- docs/jobs-and-proofs.md#when-a-proof-is-rejected): the run's history records it as `restart`,
-- with the reviewer as its actor and the rejected proof, which the job's case timeline shows
-- as `flow_run.restarted`. A nullable column without default: no rewrite of the table.
ALTER TABLE flow_run_history DROP CONSTRAINT flow_run_history_event_check;
ALTER TABLE flow_run_history ADD CONSTRAINT flow_run_history_event_check CHECK (
    event IN ('start', 'answer', 'reminder', 'timeout', 'http_result', 'pause', 'resume', 'stop', 'restart'));
ALTER TABLE flow_run_history ADD COLUMN proof_id uuid;
