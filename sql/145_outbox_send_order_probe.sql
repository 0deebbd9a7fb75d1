-- The outbox claim's send-order check (OutboxStore.claimQuery: "no earlier unfinished message.send
-- row of the same conversation") is run once per due row, and must stay an index look-up on
-- (tenant_id, conversation_id, id) whatever the table's statistics say.
--
-- With 065's index it did not: when the statistics were taken while the queue was near-empty (a
-- fresh database, autoanalyze of a quiet queue), every partial index over unfinished rows looks
-- empty to the planner, so scanning outbox_ready_idx (whose predicate the check implies) without
-- any condition costs the same as the look-up, and it won the tie. A broadcast of 10,000 sends
-- then took 10,000 scans of the whole ready set: one claim ran for 15-19 s and the worker gave it
-- up ("outbox claim failed ... no answer within 15 s"). Without that index, the primary key
-- (`id < o.id`, all earlier rows) was the next wrong choice.
--
-- So the check and this index say "unfinished" as `coalesce(done_at, dead_at) IS NULL`, which
-- implies no other index's predicate: the planner can serve the check with this index or with a
-- scan costed at the whole table, and the index wins in every state of the statistics (the test
-- "a claim stays an index look-up per row with the statistics of an empty queue" checks the
-- plan). 065's index, now unused, goes.
CREATE INDEX outbox_send_order_idx ON outbox (tenant_id, (payload ->> 'conversation_id'), id)
    WHERE topic = 'message.send' AND coalesce(done_at, dead_at) IS NULL;
DROP INDEX outbox_send_conversation_idx;
