-- Evidence facts of proof photos (docs/jobs-and-proofs.md#evidence-facts-and-checks), read from
-- each image file once it is stored: pixel size, EXIF (capture time, GPS, or why there is none)
-- and a perceptual hash, so a proof's `checks` and reused-photo detection need no file access.
ALTER TABLE media
    ADD COLUMN width        integer CHECK (width > 0),
    ADD COLUMN height       integer CHECK (height > 0),
    -- 'absent' (most chat photos), 'present' or 'malformed'; NULL for files that are not photos.
    ADD COLUMN exif_status  text CHECK (exif_status IN ('absent', 'present', 'malformed')),
    -- {"local_time", "captured_at", "latitude", "longitude", "make", "model", "problems", "error"}
    ADD COLUMN exif         jsonb,
    -- 64-bit difference hash; compared by Hamming distance (bit_count of the XOR).
    ADD COLUMN phash        bigint;

-- The same file (SHA-256) in another job is found through this index; perceptual matches scan
-- the tenant's hashed photos (64-bit XOR + bit_count per row, cheap up to a few 100k photos).
CREATE INDEX media_sha256_idx ON media (tenant_id, sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX media_phash_idx ON media (tenant_id) INCLUDE (phash) WHERE phash IS NOT NULL;

-- Per-tenant settings of the proof checks.
CREATE TABLE proof_settings (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id),
    -- A location within this many metres of the job's site counts as `at_site`.
    at_site_metres   integer NOT NULL DEFAULT 250 CHECK (at_site_metres BETWEEN 10 AND 100000),
    -- Photos served through signed links keep their EXIF GPS only when the tenant allows it.
    gps_in_links     boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE proof_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE proof_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON proof_settings USING (tenant_id = app_tenant_id())
    WITH CHECK (tenant_id = app_tenant_id());
