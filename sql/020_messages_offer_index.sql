-- The last reply a member may be answering: ingest looks, for each short inbound text, for the
-- newest outbound message of the conversation that offered choices (a numbered answer maps back
-- to one). Through messages_conversation_idx that walked the conversation's newest messages
-- until an outbound one turned up, so a member who wrote many times since the last reply (or
-- never got one) cost a scan of all of them on every message; it was 90 % of ingest's look-up
-- under load (bench/README.md, 2026-11-25). Only outbound rows enter this index, so inbound
-- traffic does not pay for it.
CREATE INDEX messages_outbound_idx ON messages (tenant_id, conversation_id, id DESC)
    WHERE direction = 'outbound' AND kind <> 'system';
