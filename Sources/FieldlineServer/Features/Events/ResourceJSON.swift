/// SQL expressions building a resource as the API returns it (`jsonb`, the same keys and values
/// as `Conversation` and `Message` encode: snake_case, lower-case ids, RFC 3339 UTC times with
/// milliseconds, absent optionals left out), for set-based event writers that cannot hand each
/// row to Swift. `EventsTests` holds them equal to the API's answers.
enum ResourceJSON {
    /// An RFC 3339 UTC text of the `timestamptz` expression `column`.
    static func time(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
    }

    /// A conversation row aliased `alias`, as `GET /v1/conversations/{id}` answers it.
    static func conversation(_ alias: String) -> String {
        let c = alias
        return """
            jsonb_strip_nulls(jsonb_build_object(
                'id', \(c).id, 'member_id', \(c).member_id, 'status', \(c).status, 'assignee_id', \(c).assignee_id,
                'team_id', \(c).team_id, 'tags', to_jsonb(\(c).tags), 'opened_at', \(time("\(c).opened_at")),
                'last_message_at', \(time("\(c).last_message_at")), 'first_human_reply_at', \(time("\(c).first_human_reply_at")),
                'closed_at', \(time("\(c).closed_at")), 'snoozed_until', \(time("\(c).snoozed_until")),
                'routing_state', \(c).routing_state, 'queued_at', \(time("\(c).queued_at"))))
            """
    }

    /// A message row aliased `alias`, as `GET /v1/conversations/{id}/messages` lists it. With
    /// `tenant` (an SQL expression, for Citus) the media subquery also names the tenant by value,
    /// which keeps the statement on the tenant's shard (docs/scaling.md, "Router plans").
    static func message(_ alias: String, tenant: String? = nil) -> String {
        let m = alias
        let sameTenant = tenant.map { " AND md.tenant_id = \($0)" } ?? ""
        // The payload is kept as is, nulls inside it included: strip only the top level.
        return """
            (jsonb_strip_nulls(jsonb_build_object(
                'id', \(m).id, 'conversation_id', \(m).conversation_id, 'direction', \(m).direction, 'kind', \(m).kind,
                'text', \(m).body, 'author_user_id', \(m).author_user_id, 'provider', \(m).provider,
                'provider_message_id', \(m).provider_message_id, 'delivery_status', \(m).delivery_status,
                'delivery_error', \(m).delivery_error, 'created_at', \(time("\(m).created_at")),
                'media', (SELECT jsonb_build_object('id', md.id, 'status', md.status) FROM media md
                            WHERE md.tenant_id = \(m).tenant_id\(sameTenant) AND md.message_id = \(m).id), 'channel_post_id', \(m).channel_post_id))
             || jsonb_build_object('payload', \(m).payload))
            """
    }

    /// An offer row aliased `alias`, joined with its subcontractor `organizations` row aliased
    /// `organization`, as `GET /v1/jobs/{id}/offers` lists it. With `tenant` (an SQL expression,
    /// for Citus) the recipients' subquery also names the tenant by value, as `message` does.
    static func offer(_ alias: String, organization: String, tenant: String? = nil) -> String {
        let o = alias
        let sameTenant = tenant.map { " AND r.tenant_id = \($0)" } ?? ""
        return """
            jsonb_strip_nulls(jsonb_build_object(
                'id', \(o).id, 'job_id', \(o).job_id, 'organization_id', \(o).organization_id,
                'organization_name', \(organization).name, 'round', \(o).round, 'status', \(o).status,
                'distance_m', round(\(o).distance_m::numeric, 1),
                'recipients', coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                        'member_id', r.member_id, 'conversation_id', r.conversation_id, 'message_id', r.message_id,
                        'delivery_status', m.delivery_status, 'delivery_error', m.delivery_error)) ORDER BY r.member_id)
                    FROM offer_recipients r JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
                    WHERE r.tenant_id = \(o).tenant_id\(sameTenant) AND r.offer_id = \(o).id), '[]'::jsonb),
                'answered_by_member_id', \(o).answered_by_member_id, 'answered_at', \(time("\(o).answered_at")),
                'expires_at', \(time("\(o).expires_at")), 'wave', \(o).wave, 'delivery_pending', \(o).delivery_pending,
                'created_by', \(o).created_by,
                'created_at', \(time("\(o).created_at")), 'updated_at', \(time("\(o).updated_at"))))
            """
    }
}
