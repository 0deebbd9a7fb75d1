-- Proof photos uploaded straight to a job (`POST /v1/jobs/{id}/proofs` as multipart): media that
-- came in no message. They are stored and inspected while the request streams in, so they are
-- `fetched` from the start, and visible only through the proofs that hold them.
ALTER TABLE media ALTER COLUMN message_id DROP NOT NULL;
ALTER TABLE media ADD COLUMN uploaded_by text;
ALTER TABLE media DROP CONSTRAINT media_provider_check;
ALTER TABLE media ADD CONSTRAINT media_provider_check
    CHECK (provider IN ('whatsapp', 'telegram', 'sms', 'messenger', 'upload'));
-- A provider's media came in a message and says where to fetch it; an upload names its uploader.
ALTER TABLE media DROP CONSTRAINT media_check;
ALTER TABLE media ADD CONSTRAINT media_source_check CHECK (
    CASE WHEN provider = 'upload'
        THEN message_id IS NULL AND uploaded_by IS NOT NULL AND status = 'fetched'
        ELSE message_id IS NOT NULL AND (provider_media_id IS NOT NULL OR source_url IS NOT NULL)
    END);
