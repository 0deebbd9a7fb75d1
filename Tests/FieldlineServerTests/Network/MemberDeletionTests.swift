import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// `DELETE /v1/members/{id}` of a member whose conversation is kept (issue 15: the 409 was not
/// in the OpenAPI document).
@Suite("Deleting a member who has conversations")
struct MemberDeletionTests {
    @Test("is a documented 409 reference_conflict, and the member stays")
    func inUse() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let org = try await ChannelsTests.organization(admin, "subcontractor", "Grúas")
            let member = try await ChannelsTests.member(admin, org, "Ana", appUser: "u-ana")
            let message = try await APICaller(client, token: key).post(
                "/v1/app/messages", #"{"sender":"u-ana","provider_message_id":"m-1","text":"Hola"}"#)
            #expect(message.status.code < 300, "\(message.text)")
            let refused = try await admin.delete("/v1/members/\(member)")
            #expect(refused.status == .conflict)
            #expect(refused.json["error"]["code"].string == "reference_conflict")
            #expect(try await admin.get("/v1/members/\(member)").status == .ok)

            let document = try await client.execute(uri: "/openapi.yaml", method: .get) { $0 }.text
            let start = try #require(document.range(of: "operationId: deleteMember"))
            let operation = document[start.upperBound...].prefix { _ in true }.components(separatedBy: "operationId:").first ?? ""
            #expect(operation.contains("'409':"), "deleteMember lists no 409")
        }
    }
}
