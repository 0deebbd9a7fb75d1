import Foundation
import Logging
import PostgresNIO

/// A tenant whose pending events the database refuses to publish (an event `stream_events` will
/// not take: a kind its check does not know, a value out of range) must not hold back every
/// other tenant's stream, as one `stream_publish()` over many tenants would: it fails whole.
/// So when a publication of several tenants is refused for its data, the publisher splits it in
/// halves until each refusing tenant is alone, publishes the others, and keeps the refusing ones
/// aside (`stuck`, an error logged for each): later publications leave them out, and each sweep
/// tries them again alone, so an operator who mends or removes the row sees them flow again.
extension StreamPublisher {
    /// Publishes `work` on `connection`, keeping the tenants in `stuck` apart; returns how many
    /// events were published. Errors other than a refusal of the data are thrown as before.
    func publish(
        _ work: StreamPublication.Work, on connection: PostgresConnection, citus: Bool, stuck: inout Set<UUID>
    ) async throws -> Int {
        if stuck.isEmpty {
            do {
                return try await publishTogether(work.sweep ? nil : Array(work.tenants), on: connection, citus: citus)
            } catch let error where Self.refusesData(error) {
                let tenants = work.sweep ? try await everyTenant(on: connection) : Array(work.tenants)
                return try await publishApart(tenants, on: connection, citus: citus, stuck: &stuck)
            }
        }
        let tenants = work.sweep ? try await everyTenant(on: connection) : Array(work.tenants)
        var published = try await publishApart(tenants.filter { !stuck.contains($0) }, on: connection, citus: citus, stuck: &stuck)
        guard work.sweep else { return published }
        for tenant in stuck.sorted(by: { $0.uuidString < $1.uuidString }) {
            do {
                published += try await publishTogether([tenant], on: connection, citus: citus)
                stuck.remove(tenant)
                logger.notice("a tenant's stream events are published again", metadata: ["tenant_id": .string(tenant.uuidString.lowercased())])
            } catch let error where Self.refusesData(error) {
                continue
            }
        }
        return published
    }

    /// Publishes `tenants` in one call, or, when the database refuses their data, in halves
    /// until each refusing tenant is alone and set aside in `stuck`.
    private func publishApart(
        _ tenants: [UUID], on connection: PostgresConnection, citus: Bool, stuck: inout Set<UUID>
    ) async throws -> Int {
        guard !tenants.isEmpty else { return 0 }
        do {
            return try await publishTogether(tenants, on: connection, citus: citus)
        } catch let error where Self.refusesData(error) {
            guard tenants.count > 1 else {
                stuck.insert(tenants[0])
                logger.error("a tenant's stream events cannot be published; the other tenants' go on", metadata: [
                    "tenant_id": .string(tenants[0].uuidString.lowercased()),
                    "error": .string(error.postgresError?.serverMessage ?? String(describing: error)),
                ])
                return 0
            }
            let half = tenants.count / 2
            let first = try await publishApart(Array(tenants[..<half]), on: connection, citus: citus, stuck: &stuck)
            return try await first + publishApart(Array(tenants[half...]), on: connection, citus: citus, stuck: &stuck)
        }
    }

    /// One `stream_publish()` under the watchdog.
    private func publishTogether(_ tenants: [UUID]?, on connection: PostgresConnection, citus: Bool) async throws -> Int {
        let logger = logger
        return try await withDeadline(timeout) {
            try await StreamPublication.publish(tenants, on: connection, transactionBlock: citus, logger: logger)
        }
    }

    /// Every tenant, as `stream_publish(NULL)` takes them.
    private func everyTenant(on connection: PostgresConnection) async throws -> [UUID] {
        let logger = logger
        return try await withDeadline(timeout) {
            try await connection.query("SELECT id FROM tenants ORDER BY id", logger: logger).collect { try $0.decode(UUID.self) }
        }
    }

    /// Whether the database refused the publication for the rows it read (SQLSTATE classes 22,
    /// data exceptions, and 23, integrity constraints), not for the connection or the server's state.
    static func refusesData(_ error: any Error) -> Bool {
        guard let state = error.postgresError?.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }
}
