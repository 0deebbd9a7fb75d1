import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Bad input on every route")
struct BadInputSweepTests {
    @Test("malformed bodies and junk parameters get a 4xx JSON error on every route, never a 5xx")
    func everyRoute() async throws {
        let routes = try await inspectionRouter().routes.map { (method: $0.method, path: $0.path.description) }
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let bodies = ["{not json", "[]", "null", #"{"unexpected_field_xyz":1}"#, #"{"name":["nested"],"kind":{}}"#, String(repeating: "[", count: 5000)]
            var checked = 0
            for route in routes {
                let path = route.path
                    .replacingOccurrences(of: "{id}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{peerId}", with: "not-a-uuid")
                    .replacingOccurrences(of: "{memberId}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{userId}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{identityId}", with: UUID().uuidString)
                if [.post, .put, .patch].contains(route.method) {
                    for body in bodies {
                        let response = try await admin.send(route.method, path, body)
                        #expect((400..<500).contains(Int(response.status.code)), "\(route.method) \(route.path) with \(body.prefix(20)) answered \(response.status.code)")
                        #expect(response.json["error"]["code"].string != nil, "\(route.method) \(route.path) error body")
                        checked += 1
                    }
                } else if route.method == .get, route.path.hasPrefix("/v1") {
                    let junk = "?limit=-5&cursor=%ZZ&updated_since=never&covers_lat=x&kind=%00&role=boss&organization_id=nope"
                    let response = try await admin.send(.get, path + junk)
                    #expect(response.status.code < 500, "GET \(route.path) with junk query answered \(response.status.code)")
                    checked += 1
                }
            }
            #expect(checked > 100)
        }
    }
}
