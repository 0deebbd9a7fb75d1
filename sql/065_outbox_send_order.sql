-- Replies go out in order per conversation (issue 15, provider-down fault test): a worker claims a
-- `message.send` row only when no earlier unfinished `message.send` row of the same conversation
-- exists (see OutboxStore.claim). This index answers that check for each candidate row.
CREATE INDEX outbox_send_conversation_idx ON outbox (tenant_id, (payload ->> 'conversation_id'), id)
    WHERE topic = 'message.send' AND done_at IS NULL AND dead_at IS NULL;
