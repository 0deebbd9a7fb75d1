import Foundation

/// `routing.drain`: runs a team's queue when the team opens (queued due at the opening, at most
/// one pending per team and time). Nothing to undo when it dies: the queue is routed again by
/// the next drain or the next message.
struct DrainRoutingQueue: OutboxJob {
    static let topic = "routing.drain"

    /// The team whose queue to run.
    struct Payload: Codable, Sendable, Equatable {
        let teamID: UUID

        /// The stored key (rows already in the database use it; `scheduleDrain` de-duplicates by it).
        enum CodingKeys: String, CodingKey { case teamID = "team_id" }
    }

    let database: Database

    /// Assigns what waits in the team's queue, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        let logger = database.logger
        try await database.completing(item) { connection in
            let outcome = try await RoutingEngine(logger: logger).drain(teams: [payload.teamID], settings: nil, tenantID: item.tenantID, connection)
            try await StreamEventWriter.append(outcome.events, tenantID: item.tenantID, connection: connection, logger: logger)
        }
    }
}
