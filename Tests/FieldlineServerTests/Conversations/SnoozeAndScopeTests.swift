import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Snooze, status changes and supervisor scope")
struct SnoozeAndScopeTests {
    func streamKinds(_ fixtures: Fixtures, _ tenant: UUID) async throws -> [(String, String?)] {
        // Events committed by now may still wait for the app's publisher: publish them here.
        try await fixtures.database.publishStreamEvents(of: [tenant])
        return try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "SELECT kind, data->>'reason' FROM stream_events WHERE kind = 'conversation.status_changed' ORDER BY id",
                logger: fixtures.database.logger
            ).collect { try $0.decode((String, String?).self) }
        }
    }

    @Test("snooze sets a conversation aside until the member writes, or until the time passes")
    func snooze() async throws {
        try await TestApp.run(configure: { $0.outboxPollInterval = .milliseconds(20) }) { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let later = RFC3339.format(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)))
            let snoozed = try await desk.admin.post("/v1/conversations/\(conversation)/snooze", #"{"until":"\#(later)"}"#)
            #expect(snoozed.status == .ok)
            #expect(snoozed.json["status"].string == "pending")
            #expect(snoozed.json["snoozed_until"].string == later)

            // The member writes: it is open again at once.
            _ = try await desk.send("m-2", "¿Hay alguien?")
            let woken = try await desk.admin.get("/v1/conversations/\(conversation)").json
            #expect(woken["status"].string == "open")
            #expect(woken["snoozed_until"].isNull)

            // A short snooze wakes by itself through the outbox; the earlier (hour-long) wake-up
            // finds nothing to do when it comes, since the conversation is no longer pending.
            let soon = RFC3339.format(Date().addingTimeInterval(1.5))
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/snooze", #"{"until":"\#(soon)"}"#).status == .ok)
            #expect(try await eventually { try await desk.admin.get("/v1/conversations/\(conversation)").json["status"].string == "open" })

            // Woken by hand.
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/snooze", #"{"until":"\#(later)"}"#).status == .ok)
            #expect(try await desk.admin.delete("/v1/conversations/\(conversation)/snooze").json["status"].string == "open")

            let changes = try await streamKinds(fixtures, desk.fixture.tenant.id)
            #expect(changes.map(\.1) == ["snoozed", "member_wrote", "snoozed", "snooze_ended", "snoozed", "woken"])
        }
    }

    @Test("snooze refuses past or far times, bad bodies, and archived conversations")
    func snoozeErrors() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let path = "/v1/conversations/\(conversation)/snooze"
            #expect(try await desk.admin.post(path, #"{"until":"2001-01-01T00:00:00Z"}"#).json["error"]["code"].string == "out_of_range")
            let far = RFC3339.format(Date().addingTimeInterval(100 * 24 * 3600))
            #expect(try await desk.admin.post(path, #"{"until":"\#(far)"}"#).status == .unprocessableContent)
            #expect(try await desk.admin.post(path, #"{"until":"tomorrow"}"#).json["error"]["field"].string == "until")
            #expect(try await desk.admin.post(path, "{}").status == .unprocessableContent)
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
            let soon = RFC3339.format(Date().addingTimeInterval(60))
            #expect(try await desk.admin.post(path, #"{"until":"\#(soon)"}"#).json["error"]["code"].string == "conversation_archived")
        }
    }

    @Test("a supervisor of an organization sees conversations of members in its subtree only")
    func supervisorScope() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let inside = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let memberOrg = try #require(try await desk.admin.get("/v1/members/\(desk.memberID)").json["organization_id"].string)
            let parent = try #require(try await desk.admin.post("/v1/organizations", #"{"kind":"partner","name":"Norte"}"#).json["id"].string)
            #expect(try await desk.admin.patch("/v1/organizations/\(memberOrg)", #"{"parent_id":"\#(parent)"}"#).status == .ok)
            let other = try #require(try await desk.admin.post("/v1/organizations", #"{"kind":"partner","name":"Sur"}"#).json["id"].string)

            let scoped = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            let elsewhere = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            let everywhere = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            #expect(try await desk.admin.patch("/v1/users/\(scoped.userID)", #"{"organization_id":"\#(parent)"}"#).status == .ok)
            #expect(try await desk.admin.patch("/v1/users/\(elsewhere.userID)", #"{"organization_id":"\#(other)"}"#).status == .ok)

            #expect(try await APICaller(client, scoped).get("/v1/conversations").json["data"].array.map { $0["id"].string } == [inside])
            #expect(try await APICaller(client, scoped).get("/v1/conversations/\(inside)").status == .ok)
            #expect(try await APICaller(client, elsewhere).get("/v1/conversations").json["data"].array.isEmpty)
            #expect(try await APICaller(client, elsewhere).get("/v1/conversations/\(inside)").status == .notFound)
            #expect(try await APICaller(client, elsewhere).post("/v1/conversations/\(inside)/close", "").status == .notFound)
            #expect(try await APICaller(client, everywhere).get("/v1/conversations").json["data"].array.count == 1)
        }
    }
}
