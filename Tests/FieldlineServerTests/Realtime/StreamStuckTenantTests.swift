import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A tenant whose pending stream events the database refuses does not hold back the others.
@Suite("Stream publisher: a tenant whose events cannot be published is kept apart")
struct StreamStuckTenantTests {
    @Test("one tenant's refused event (a kind stream_events does not take): another tenant's events still arrive live; once the row is gone, the first tenant's flow again")
    func stuckTenantKeptApart() async throws {
        try await TestApp.runLive(configure: { $0.streamSweepInterval = .milliseconds(200) }) { client, fixtures in
            let stuck = try await StreamTests.desk(client, fixtures, tenant: "stuck")
            let other = try await StreamTests.desk(client, fixtures, tenant: "other")
            let stuckID = stuck.fixture.tenant.id
            let logger = fixtures.database.logger
            try await withStream(client, token: stuck.fixture.token) { inbox, _ in
                let conversation = try #require(UUID(uuidString: try await stuck.send("s-1", "Hola")))
                _ = try await inbox.events(2)
                // A row no publication can move: every sweep meets it, as a writer's bug would leave it.
                try await fixtures.database.withTenant(stuckID) { connection in
                    try await connection.query("""
                        INSERT INTO stream_pending (tenant_id, conversation_id, kind) VALUES (\(stuckID), \(conversation), 'no.such.kind')
                        """, logger: logger)
                }
            }
            do {
                try await withStream(client, token: other.fixture.token) { inbox, _ in
                    _ = try await other.send("o-1", "Buenos días")
                    let events = try await inbox.events(2)
                    #expect(events.map { $0["type"].string } == ["conversation.opened", "message.created"])
                    #expect(events.last?["message"]["text"].string == "Buenos días")
                }
                try await withStream(client, token: stuck.fixture.token) { inbox, _ in
                    _ = try await stuck.send("s-2", "¿Sigue ahí?")
                    try await fixtures.database.withTenant(stuckID) { connection in
                        try await connection.query(
                            "DELETE FROM stream_pending WHERE tenant_id = \(stuckID) AND kind = 'no.such.kind'", logger: logger)
                    }
                    let event = try await inbox.next(within: 15)
                    #expect(event["type"].string == "message.created")
                    #expect(event["message"]["text"].string == "¿Sigue ahí?")
                }
            } catch {
                // Never leave the row for the other tests' publishers.
                _ = try? await fixtures.database.withTenant(stuckID) { connection in
                    try await connection.query("DELETE FROM stream_pending WHERE tenant_id = \(stuckID) AND kind = 'no.such.kind'", logger: logger)
                }
                throw error
            }
        }
    }
}
