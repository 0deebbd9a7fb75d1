-- The orphan media sweep (OrphanMediaSweep) asks which stored files a media row still waiting
-- to be fetched names by its provider media id (a sandbox photo is named by its SHA-256):
-- pending rows are few, so a partial index answers without reading the tenant's media.
CREATE INDEX media_pending_provider_idx ON media (tenant_id, provider_media_id) WHERE status = 'pending';
