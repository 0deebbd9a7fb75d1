-- Held: an outbound message that may not be sent yet because the provider's customer-service
-- window is closed (WhatsApp, Messenger: 24 hours after the member's last message). It keeps
-- its reason in delivery_error and goes back to the outbox when the member writes again.
ALTER TABLE messages DROP CONSTRAINT messages_delivery_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_delivery_status_check
    CHECK (delivery_status IN ('queued', 'held', 'sent', 'delivered', 'read', 'failed'));

-- Every inbound message looks for its conversation's held messages: only the few held rows are indexed.
CREATE INDEX messages_held_idx ON messages (tenant_id, conversation_id) WHERE delivery_status = 'held';
