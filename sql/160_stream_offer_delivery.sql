-- An offer's delivery reports on the live stream (docs/stream.md): `offer.delivered` and
-- `offer.read`, when a provider's status report moves the offer `sent → delivered → read`
-- (OfferDeliveryReports). Until now those moves reached the offers list and the case timeline
-- only, so an agent watching a broadcast did not see which crews had the offer on their phones
-- until they asked again. Only the kind check changes.
DO $$
BEGIN
    IF fieldline_citus() THEN
        -- DDL on a distributed table inside a transaction block (as sql/130 does).
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
END
$$;

ALTER TABLE stream_events DROP CONSTRAINT stream_events_kind_check;
ALTER TABLE stream_events ADD CONSTRAINT stream_events_kind_check CHECK (kind IN (
    'message.created', 'conversation.opened', 'conversation.assigned',
    'conversation.closed', 'conversation.tags_changed', 'conversation.status_changed',
    'offer.accepted', 'offer.declined', 'offer.expired', 'offer.withdrawn',
    'offer.delivered', 'offer.read',
    'job.created', 'job.offered', 'job.assigned', 'job.started', 'job.completed', 'job.cancelled',
    'job.reopened', 'job.expired',
    'flow_run.started', 'flow_run.advanced', 'flow_run.handed_off', 'flow_run.ended'));
