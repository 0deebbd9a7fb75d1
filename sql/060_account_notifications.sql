-- Tokens name a user; their role and whether they may still act are read from users on each
-- request (cached for a few seconds per instance). When an account's role, organization or
-- state changes, or the user is deleted, every instance is told on the stream's channel, so it
-- forgets its cached copy and closes the user's open streams at once (payload:
-- account:<tenant_id>:<user_id>, ids only, like every other notification).
CREATE FUNCTION users_notify_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fieldline_stream', 'account:' || OLD.tenant_id::text || ':' || OLD.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER users_account_changed
    AFTER UPDATE OF role, disabled_at, organization_id ON users
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role
          OR (OLD.disabled_at IS NULL) <> (NEW.disabled_at IS NULL)
          OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION users_notify_account_change();

CREATE TRIGGER users_account_deleted
    AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_notify_account_change();
