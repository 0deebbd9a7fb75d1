-- The outbox claim (OutboxStore.claimQuery) must stay cheap whatever the table's statistics say.
--
-- Its send-order check ("no earlier unfinished message.send row of the same conversation") runs
-- for each due row it considers. With 065's index it was not a look-up when the statistics were
-- taken while the queue was near-empty (a fresh database, autoanalyze of a quiet queue): every
-- partial index over unfinished rows then looks empty to the planner, so scanning
-- outbox_ready_idx (whose predicate the check implies) without any condition cost the same as the
-- look-up, and won the tie. A broadcast of 10,000 sends then took 10,000 scans of the whole ready
-- set: one claim ran for 15-19 s and the worker gave it up ("outbox claim failed ... no answer
-- within 15 s"). Without that index, the primary key (`id < o.id`: all earlier rows) was the next
-- wrong choice.
--
-- * The check and outbox_send_order_idx say "unfinished" as `coalesce(done_at, dead_at) IS NULL`,
--   which implies no other index's predicate: the check is served by this index or by a scan
--   costed at the whole table, and the index wins in every state of the statistics. 065's index,
--   now unused, goes.
-- * outbox_ready_idx becomes (available_at, id), the claim's order: the claim reads due rows in
--   order and stops at its limit (about 1 ms for 20 rows of 10,000) instead of checking and
--   sorting every due row (30-50 ms for 10,000).
--
-- OutboxClaimPlanTests checks the plan of the statement the worker sends; bench/run-outbox-claim
-- prints its times (bench/README.md).
CREATE INDEX outbox_send_order_idx ON outbox (tenant_id, (payload ->> 'conversation_id'), id)
    WHERE topic = 'message.send' AND coalesce(done_at, dead_at) IS NULL;
DROP INDEX outbox_send_conversation_idx;

DROP INDEX outbox_ready_idx;
CREATE INDEX outbox_ready_idx ON outbox (available_at, id) WHERE done_at IS NULL AND dead_at IS NULL;
