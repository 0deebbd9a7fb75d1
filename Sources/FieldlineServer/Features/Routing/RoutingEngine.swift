import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Runs routing inside the caller's transaction: the welcome menu, rules, the fallback, and
/// handing conversations to teams. Methods return the stream events to publish, which the caller
/// appends last (after the routing lock, as the stream writer requires).
struct RoutingEngine: Sendable {
    let logger: Logger

    /// Advisory-lock class serialising automatic assignment per tenant, so two transactions
    /// never both give an agent their last free place.
    static let lockClass: Int32 = 7008

    /// Routes after a member's inbound message (see `RoutingState.routesInbound`), with the
    /// tenant's `settings` (loaded once by the caller for all the messages it stores).
    func inbound(
        text: String?, conversationID: UUID, opened: Bool, routingState: RoutingState, settings: RoutingSettings?, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws -> [NewStreamEvent] {
        guard routingState.routesInbound(conversationOpened: opened), let settings, settings.enabled else { return [] }
        let rules = try await RoutingRulesStore.load(tenantID: tenantID, connection, logger: logger)
        let menu = RoutingRules.menu(rules)
        if let text, let rule = RoutingRules.match(text, rules: rules) {
            return try await route(conversationID, to: rule.teamID, because: ["rule_id": rule.id.uuidString.lowercased()], settings: settings, tenantID: tenantID, connection)
        }
        if opened, let welcome = settings.welcomeMessage {
            try await setState(.awaitingChoice, conversationID, tenantID: tenantID, connection)
            return [try await systemMessage(Self.withMenu(welcome, menu), to: conversationID, tenantID: tenantID, connection)]
        }
        var events: [NewStreamEvent] = []
        if let fallback = settings.fallbackMessage {
            events.append(try await systemMessage(Self.withMenu(fallback, menu), to: conversationID, tenantID: tenantID, connection))
        }
        if let team = settings.fallbackTeamID {
            events += try await route(conversationID, to: team, because: ["fallback": "true"], settings: settings, tenantID: tenantID, connection)
        }
        return events
    }

    /// Puts the conversation in `team`'s queue and runs the queue; the member is told they were
    /// assigned, their place in line, or that the team is closed.
    func route(
        _ conversationID: UUID, to team: UUID, because reason: [String: String], settings: RoutingSettings, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws -> [NewStreamEvent] {
        try await connection.query("""
            UPDATE conversations SET team_id = \(team), routing_state = 'queued', queued_at = now()
            WHERE tenant_id = \(tenantID) AND id = \(conversationID)
            """, logger: logger)
        let data = reason.merging(["team_id": team.uuidString.lowercased()]) { $1 }
        try await connection.query("""
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, data)
            VALUES (\(tenantID), \(UUIDv7.make()), \(conversationID), 'routed', \(Self.json(data))::jsonb)
            """, logger: logger)
        try await BusinessEvents.recordConversation(.conversationAssigned, conversationID, on: connection, tenantID: tenantID, logger: logger)
        var events = [NewStreamEvent(
            kind: .conversationAssigned, conversationID: conversationID,
            data: ["team_id": .id(team), "assignee_id": .null, "by": .string("routing")])]
        let outcome = try await drain(teams: [team], settings: settings, tenantID: tenantID, connection)
        events += outcome.events
        guard !outcome.assigned.contains(conversationID) else { return events }
        guard let state = try await TeamRoutingState.load(team, tenantID: tenantID, connection, logger: logger) else { return events }
        let now = Date()
        if !state.isOpen(at: now) {
            try await scheduleDrain(team, at: state.nextOpening(after: now), tenantID: tenantID, connection)
            if let template = settings.outOfHoursMessage {
                let next = state.nextOpening(after: now).map { state.localTime($0) } ?? ""
                let text = PlaceholderText.render(template, ["team_name": state.name, "next_open": next])
                events.append(try await systemMessage(text, to: conversationID, tenantID: tenantID, connection))
            }
        } else if let template = settings.queueMessage,
                  let place = try await QueuePlaces.place(of: conversationID, team: state, tenantID: tenantID, connection, logger: logger) {
            let text = PlaceholderText.render(template, [
                "team_name": state.name, "position": String(place.position),
                "eta_minutes": String(QueueEstimate.minutes(place.estimatedWaitSeconds)),
            ])
            events.append(try await systemMessage(text, to: conversationID, tenantID: tenantID, connection))
        }
        return events
    }

    /// Takes the tenant's routing lock until the transaction ends.
    func lock(_ tenantID: UUID, _ connection: PostgresConnection) async throws {
        _ = try await connection.query(
            "SELECT pg_advisory_xact_lock(\(Self.lockClass), hashtext(\(tenantID.uuidString.lowercased())))", logger: logger
        ).collect { _ in () }
    }

    func setState(_ state: RoutingState, _ conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE conversations SET routing_state = \(state.rawValue) WHERE tenant_id = \(tenantID) AND id = \(conversationID)",
            logger: logger)
    }

    /// Queues an outbound `system` message to the member (message and outbox row together).
    func systemMessage(_ text: String, to conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> NewStreamEvent {
        let messageID = UUIDv7.make()
        let body = String(text.prefix(MessageLimits.maxBodyCharacters))
        try await connection.query("""
            WITH message AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                VALUES (\(tenantID), \(messageID), \(conversationID), 'outbound', 'system', \(body), 'queued')
                RETURNING tenant_id, id, conversation_id
            )
            \(unescaped: Self.queueMessage)
            """, logger: logger)
        return NewStreamEvent.messageCreated(messageID, in: conversationID, direction: .outbound, kind: .system)
    }

    /// Queues an outbound `choice` message to the member: `text` with `choices`, each provider
    /// rendering them its way (buttons, or numbered lines on SMS).
    func choiceMessage(
        _ text: String, choices: [ReplyChoice], to conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> NewStreamEvent {
        let messageID = UUIDv7.make()
        let content = ReplyContent(text: String(text.prefix(MessageLimits.maxBodyCharacters)), choices: choices)
        try await connection.query("""
            WITH message AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, delivery_status)
                VALUES (\(tenantID), \(messageID), \(conversationID), 'outbound', 'choice', \(content.text), \(ReplyPayload(content).json)::jsonb, 'queued')
                RETURNING tenant_id, id, conversation_id
            )
            \(unescaped: Self.queueMessage)
            """, logger: logger)
        return NewStreamEvent.messageCreated(messageID, in: conversationID, direction: .outbound, kind: .choice)
    }

    /// Asks the outbox to run the team's queue when it opens (once per team and time).
    func scheduleDrain(_ team: UUID, at date: Date?, tenantID: UUID, _ connection: PostgresConnection) async throws {
        guard let date else { return }
        try await Outbox.enqueue(
            DrainRoutingQueue.self, .init(teamID: team), availableAt: date, duplicates: .skipIfPending(key: "team_id"), tenantID: tenantID,
            on: connection, logger: logger)
    }

    /// Queues the `message` CTE's row (`tenant_id`, `id`, `conversation_id`) for sending.
    static let queueMessage = OutboxSQL.insert(
        SendMessage.self, tenant: "tenant_id", payload: ["message_id": "id", "conversation_id": "conversation_id"], from: "message")

    /// The welcome or fallback text with the menu: at `{menu}`, or after it when it has none.
    static func withMenu(_ template: String, _ menu: String) -> String {
        if template.contains("{menu}") { return PlaceholderText.render(template, ["menu": menu]) }
        return menu.isEmpty ? template : template + "\n\n" + menu
    }

    /// A conversation event's `data`: an object of strings.
    static func json(_ values: [String: String]) -> String {
        JSONValue.object(values.mapValues(JSONValue.string)).serializedString
    }
}
