import FieldlineDomain
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

/// The stream publisher's handling of a tenant whose pending events the database refuses
/// (`StreamPublisher+Stuck.swift`; `StreamStuckTenantTests` on a single PostgreSQL), on the
/// cluster: there the refusal comes from a worker's shard through the coordinator.
extension CitusTests {
    @Test("a refused stream event on the cluster: the worker's refusal reaches the publisher as a data error, other tenants' events are published, and the tenant flows again once the row is gone")
    func streamStuckTenant() async throws {
        try await Self.run(configure: { $0.streamSweepInterval = .milliseconds(200) }) { client, fixtures in
            let stuck = try await Self.tenant(fixtures)
            let other = try await Self.tenant(fixtures)
            let stuckAdmin = APICaller(client, stuck), otherAdmin = APICaller(client, other)
            let stuckID = stuck.tenant.id
            let logger = fixtures.database.logger
            let firstJob = try #require(UUID(uuidString: try await BroadcastTestSupport.job(stuckAdmin, "PO-STUCK-1")))
            #expect(try await eventually { try await Self.streamKinds(stuckID, fixtures) == ["job.created"] })
            // A row no publication can move, as a writer's bug would leave it.
            try await fixtures.database.withTenant(stuckID) { connection in
                try await connection.query("""
                    INSERT INTO stream_pending (tenant_id, job_id, kind) VALUES (\(stuckID), \(firstJob), 'no.such.kind')
                    """, logger: logger)
            }
            func removeRow() async throws {
                try await fixtures.database.withTenant(stuckID) { connection in
                    try await connection.query(
                        "DELETE FROM stream_pending WHERE tenant_id = \(stuckID) AND kind = 'no.such.kind'", logger: logger)
                }
            }
            do {
                // What the publisher sees when it publishes that tenant: the shard's check refuses
                // the row, and the coordinator passes the refusal on with its SQLSTATE.
                do {
                    try await fixtures.database.client.withTransaction(logger: logger) { connection in
                        _ = try await connection.query("SELECT stream_publish(ARRAY[\(stuckID)]::uuid[])", logger: logger).collect()
                    }
                    Issue.record("stream_publish published a kind stream_events does not take")
                } catch {
                    #expect(error.postgresError?.sqlState == "23514", "\(String(reflecting: error))")
                    #expect(StreamPublisher.refusesData(error))
                }
                _ = try await BroadcastTestSupport.job(otherAdmin, "PO-OTHER-1")
                #expect(try await eventually { try await Self.streamKinds(other.tenant.id, fixtures) == ["job.created"] })
                _ = try await BroadcastTestSupport.job(stuckAdmin, "PO-STUCK-2")
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await Self.streamKinds(stuckID, fixtures) == ["job.created"], "published past a refused row")
                try await removeRow()
                #expect(try await eventually { try await Self.streamKinds(stuckID, fixtures) == ["job.created", "job.created"] })
            } catch {
                // Never leave the row for the next tests' publishers.
                try? await removeRow()
                throw error
            }
        }
    }
}
