import Foundation
import PostgresNIO

/// Timed work the outbox runs when it falls due: waking a snoozed conversation
/// (`conversation.wake`) and running a team's queue when the team opens (`routing.drain`).
/// Each runs in one tenant transaction with the completion of its outbox row.
struct ScheduledWork: Sendable {
    let database: Database

    /// The topics handled here.
    static let topics: Set<String> = ["conversation.wake", "routing.drain"]

    func perform(_ item: OutboxItem) async throws {
        let logger = database.logger
        try await database.withTenant(item.tenantID) { connection in
            try await OutboxStore.complete(item.id, on: connection, logger: logger)
            switch item.topic {
            case "conversation.wake":
                let id = try Self.id("conversation_id", in: item)
                try await PostgresConversationsRepository(database: database).wakeIfDue(id, tenantID: item.tenantID, connection)
            case "routing.drain":
                let team = try Self.id("team_id", in: item)
                let outcome = try await RoutingEngine(logger: logger).drain(teams: [team], settings: nil, tenantID: item.tenantID, connection)
                try await StreamEventWriter.append(outcome.events, tenantID: item.tenantID, connection: connection, logger: logger)
            default:
                throw SendFailure.permanent("no handler for outbox topic \(item.topic)")
            }
        }
    }

    private static func id(_ key: String, in item: OutboxItem) throws -> UUID {
        guard let raw = item.payload[key], let id = UUID(uuidString: raw) else {
            throw SendFailure.permanent("outbox payload names no \(key)")
        }
        return id
    }
}
