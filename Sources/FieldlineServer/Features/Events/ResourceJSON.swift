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

    /// A message row aliased `alias`, as `GET /v1/conversations/{id}/messages` lists it.
    static func message(_ alias: String) -> String {
        let m = alias
        // The payload is kept as is, nulls inside it included: strip only the top level.
        return """
            (jsonb_strip_nulls(jsonb_build_object(
                'id', \(m).id, 'conversation_id', \(m).conversation_id, 'direction', \(m).direction, 'kind', \(m).kind,
                'text', \(m).body, 'author_user_id', \(m).author_user_id, 'provider', \(m).provider,
                'provider_message_id', \(m).provider_message_id, 'delivery_status', \(m).delivery_status,
                'delivery_error', \(m).delivery_error, 'created_at', \(time("\(m).created_at")),
                'media', message_media(\(m).tenant_id, \(m).id), 'channel_post_id', \(m).channel_post_id))
             || jsonb_build_object('payload', \(m).payload))
            """
    }
}
