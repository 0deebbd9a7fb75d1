-- Drops the foreign key to `tenants` from the tables written on every inbound message and
-- channel post. Each of them keeps a composite foreign key whose columns are all NOT NULL and
-- lead with tenant_id (a message's (tenant_id, conversation_id), a conversation's
-- (tenant_id, member_id), …), and the referenced row carries its own key to `tenants`; so the
-- tenant is still guaranteed to exist, by the chain.
--
-- Why: every such insert also locked the one `tenants` row FOR KEY SHARE. Under concurrent
-- ingest of one tenant that made every transaction lock the same row (PostgreSQL then records
-- the lockers as a multixact on it), and a 5,000-recipient channel post checked it 10,000 times.
ALTER TABLE messages DROP CONSTRAINT messages_tenant_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_tenant_id_fkey;
ALTER TABLE conversation_events DROP CONSTRAINT conversation_events_tenant_id_fkey;
ALTER TABLE stream_events DROP CONSTRAINT stream_events_tenant_id_fkey;
ALTER TABLE members DROP CONSTRAINT members_tenant_id_fkey;
ALTER TABLE member_identities DROP CONSTRAINT member_identities_tenant_id_fkey;

-- Copies of a channel post have no search vector of their own (sql/013): they need no entry in
-- the full-text index, which every insert otherwise paid for.
DROP INDEX messages_search_idx;
CREATE INDEX messages_search_idx ON messages USING gin (tenant_id, search_vector) WHERE search_vector IS NOT NULL;
