-- The schema rules Citus needs (docs/scaling.md), on every database so both run the same schema.
--
-- API keys are unique per tenant here; the global uniqueness of a key's hash is api_key_lookup's
-- primary key, written in the same transaction as the key.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_key_hash_key;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_id_key_hash_key UNIQUE (tenant_id, key_hash);

-- No ON DELETE SET NULL on keys that hold tenant_id (Citus refuses them, as they could null the
-- distribution column): the statement that deletes the parent clears the references first, in
-- the same transaction (teams, channels and their posts, crews, members: their repositories).
ALTER TABLE conversations DROP CONSTRAINT conversations_tenant_id_team_id_fkey,
    ADD CONSTRAINT conversations_tenant_id_team_id_fkey
        FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id);
ALTER TABLE routing_settings DROP CONSTRAINT routing_settings_tenant_id_fallback_team_id_fkey,
    ADD CONSTRAINT routing_settings_tenant_id_fallback_team_id_fkey
        FOREIGN KEY (tenant_id, fallback_team_id) REFERENCES teams (tenant_id, id);
ALTER TABLE channels DROP CONSTRAINT channels_tenant_id_created_by_fkey,
    ADD CONSTRAINT channels_tenant_id_created_by_fkey
        FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id);
ALTER TABLE messages DROP CONSTRAINT messages_tenant_id_channel_post_id_fkey,
    ADD CONSTRAINT messages_tenant_id_channel_post_id_fkey
        FOREIGN KEY (tenant_id, channel_post_id) REFERENCES channel_posts (tenant_id, id);
ALTER TABLE jobs DROP CONSTRAINT jobs_tenant_id_organization_id_crew_id_fkey,
    ADD CONSTRAINT jobs_tenant_id_organization_id_crew_id_fkey
        FOREIGN KEY (tenant_id, organization_id, crew_id) REFERENCES crews (tenant_id, organization_id, id);
ALTER TABLE proofs DROP CONSTRAINT proofs_tenant_id_member_id_fkey,
    ADD CONSTRAINT proofs_tenant_id_member_id_fkey
        FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id);
ALTER TABLE offers DROP CONSTRAINT offers_tenant_id_answered_by_member_id_fkey,
    ADD CONSTRAINT offers_tenant_id_answered_by_member_id_fkey
        FOREIGN KEY (tenant_id, answered_by_member_id) REFERENCES members (tenant_id, id);
