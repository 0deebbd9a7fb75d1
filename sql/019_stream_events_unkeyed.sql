-- Drops stream_events' foreign keys to conversations and messages.
--
-- A stream event is a log entry derived from a change: it is written to stream_pending (which
-- has no keys) in the same transaction as the message or conversation it names, and moved here
-- by the publisher after that transaction committed (sql/014). Messages and conversations are
-- never deleted. So the keys could not fail; what they cost was paid in the one place that is
-- serialised on purpose: for every event the publisher probed and locked (FOR KEY SHARE) the
-- message and the conversation it names, writing a lock into rows that ingest had just
-- inserted or was holding.
--
-- Measured (bench/README.md, 2026-11-24): under 1,000 webhooks/s the publisher spent ~1.8 ms per
-- event in the message key's check alone (its cached plan, made when the table was empty,
-- scanned the table), so events reached agents' streams seconds late.
ALTER TABLE stream_events DROP CONSTRAINT stream_events_tenant_id_conversation_id_fkey;
ALTER TABLE stream_events DROP CONSTRAINT stream_events_tenant_id_message_id_fkey;
