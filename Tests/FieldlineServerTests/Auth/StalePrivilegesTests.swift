import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A token names its user; what the user may do is their account as it stands now (issue 15).
@Suite("Stale privileges: disabled and demoted users")
struct StalePrivilegesTests {
    @Test("a disabled user's token stops working at once, and works again when re-enabled")
    func disabledToken() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let agentFixture = try await fixtures.tenant(role: .agent)
            let agent = APICaller(client, agentFixture)
            // Warm the account cache: the next answer must not come from it.
            #expect(try await agent.get("/v1/users/me").status == .ok)
            #expect(try await admin.patch("/v1/users/\(agentFixture.userID)", #"{"disabled":true}"#).status == .ok)
            #expect(try await agent.get("/v1/users/me").status == .unauthorized)
            #expect(try await agent.get("/v1/conversations").status == .unauthorized)
            #expect(try await agent.get("/v1/stream").status == .unauthorized)
            #expect(try await admin.patch("/v1/users/\(agentFixture.userID)", #"{"disabled":false}"#).status == .ok)
            #expect(try await agent.get("/v1/users/me").status == .ok)
        }
    }

    @Test("a demoted supervisor loses supervisor rights at once; a promoted agent gains them")
    func demotion() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let supervisorFixture = try await fixtures.tenant(role: .supervisor)
            let supervisor = APICaller(client, supervisorFixture)
            #expect(try await supervisor.post("/v1/organizations", #"{"name":"Grúas Norte","kind":"subcontractor"}"#).status == .created)
            #expect(try await admin.patch("/v1/users/\(supervisorFixture.userID)", #"{"role":"agent"}"#).status == .ok)
            let refused = try await supervisor.post("/v1/organizations", #"{"name":"Grúas Sur","kind":"subcontractor"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await supervisor.get("/v1/users/me").json["role"].string == "agent")
            #expect(try await admin.patch("/v1/users/\(supervisorFixture.userID)", #"{"role":"supervisor"}"#).status == .ok)
            #expect(try await supervisor.post("/v1/organizations", #"{"name":"Grúas Sur","kind":"subcontractor"}"#).status == .created)
        }
    }

    @Test("a change made in the database reaches a warm cache by notification, without a request to this instance")
    func notifiedChange() async throws {
        try await TestApp.runLive(configure: { $0.accountCacheTTL = .seconds(300) }) { client, fixtures in
            let agentFixture = try await fixtures.tenant(role: .agent)
            let agent = APICaller(client, agentFixture)
            #expect(try await agent.get("/v1/users/me").status == .ok)
            // As another instance would: straight to the table; the trigger notifies.
            try await fixtures.database.withTenant(agentFixture.tenant.id) { connection in
                try await connection.query(
                    "UPDATE users SET disabled_at = now() WHERE tenant_id = \(agentFixture.tenant.id) AND id = \(agentFixture.userID)",
                    logger: fixtures.database.logger)
            }
            #expect(try await Self.eventually { try await agent.get("/v1/users/me").status == .unauthorized })
        }
    }

    @Test("a disabled or demoted user's open stream is closed, on this instance and on another")
    func streamsClosed() async throws {
        try await TwoInstances.run { a, b, fixtures in
            let admin = APICaller(a, try await fixtures.tenant())
            let supervisor = try await fixtures.tenant(role: .supervisor)
            let agent = try await fixtures.tenant(role: .agent)
            // The agent's stream is on the instance that changes the account, the supervisor's on the other.
            try await withStream(a, token: agent.token) { (agentInbox: StreamInbox, _: JSON) async throws -> Void in
                try await withStream(b, token: supervisor.token) { (supervisorInbox: StreamInbox, _: JSON) async throws -> Void in
                    #expect(try await admin.patch("/v1/users/\(agent.userID)", #"{"disabled":true}"#).status == .ok)
                    #expect(try await Self.closes(agentInbox))
                    #expect(try await admin.patch("/v1/users/\(supervisor.userID)", #"{"role":"agent"}"#).status == .ok)
                    #expect(try await Self.closes(supervisorInbox))
                }
            }
            // The demoted user reconnects with their current rights; the disabled one cannot.
            try await withStream(b, token: supervisor.token) { _, ready in #expect(ready["type"].string == "stream.ready") }
            #expect(try await APICaller(b, token: agent.token).get("/v1/stream").status == .unauthorized)
        }
    }

    /// Whether the stream closes within 10 s (any message before that is skipped).
    private static func closes(_ inbox: StreamInbox) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            do { _ = try await inbox.next(within: 1) } catch let error as StreamTimeout where error.description.contains("closed") {
                return true
            } catch is StreamTimeout {}
        }
        return false
    }

    /// Polls `condition` for up to 10 s.
    private static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
