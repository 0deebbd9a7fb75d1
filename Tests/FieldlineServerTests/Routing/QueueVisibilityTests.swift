import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Routing: the team queue within the viewer's visibility")
struct QueueVisibilityTests {
    @Test("a supervisor scoped to an organization sees the queue entries of its subtree's members, with their places in the whole queue")
    func supervisorScope() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await RoutingDesk.make(client, fixtures)
            let team = try await desk.team("Grúas")
            _ = try await desk.agent(in: team, online: false)
            try await desk.settings(QueueTests.keywordSetup)
            _ = try await desk.rule(#"{"team_id":"\#(team)","label":"Grúas","keywords":["grua"]}"#)
            let far = try #require(try await desk.admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Far"}"#).json["id"].string)
            #expect(try await desk.admin.post(
                "/v1/members", #"{"organization_id":"\#(far)","name":"Pablo","identities":[{"kind":"app","external_id":"far-1"}]}"#
            ).status == .created)
            try await desk.member("m1")

            let foreign = try await desk.write("far-1", "grúa")
            let ours = try await desk.write("m1", "grúa")
            #expect(try await desk.admin.get("/v1/teams/\(team)/queue").json["data"].array.map { $0["conversation_id"].string } == [foreign, ours])

            let scopedFixture = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            #expect(try await desk.admin.patch("/v1/users/\(scopedFixture.userID)", #"{"organization_id":"\#(desk.organizationID)"}"#).status == .ok)
            let queue = try await APICaller(client, scopedFixture).get("/v1/teams/\(team)/queue").json["data"].array
            #expect(queue.map { $0["conversation_id"].string } == [ours])
            #expect(queue.map { $0["position"].int } == [2])
        }
    }
}
