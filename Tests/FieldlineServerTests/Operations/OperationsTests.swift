import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Health, readiness, metrics, request ids")
struct OperationsTests {
    @Test("health and ready answer; ready reports pending migrations as 503")
    func healthAndReady() async throws {
        try await TestApp.run { client, _ in
            let anonymous = APICaller(client, token: nil)
            #expect(try await anonymous.get("/health").json["status"].string == "ok")
            let ready = try await anonymous.get("/ready")
            #expect(ready.status == .ok)
            #expect(ready.json["checks"]["database"].string == "ok")
        }
        let extra = FileManager.default.temporaryDirectory.appendingPathComponent("fieldline-sql-\(UUID())")
        try FileManager.default.copyItem(atPath: TestDatabase.sqlDirectory, toPath: extra.path)
        try "CREATE TABLE later_feature (id int);".write(to: extra.appendingPathComponent("999_later.sql"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: extra) }
        try await TestApp.run(configure: { $0.sqlDir = extra.path }) { client, _ in
            let ready = try await APICaller(client, token: nil).get("/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["checks"]["database"].string?.contains("999_later.sql") == true)
        }
    }

    @Test("GET / answers JSON with links to the API document, health and the docs")
    func home() async throws {
        try await TestApp.run { client, _ in
            let home = try await APICaller(client, token: nil).get("/")
            #expect(home.status == .ok)
            #expect(home.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(home.json["name"].string == "Fieldline")
            #expect(home.json["links"]["openapi"].string == "/openapi.yaml")
            #expect(home.json["links"]["health"].string == "/health")
            #expect(home.json["links"]["docs"].string?.contains("README.md") == true)
            #expect(try await APICaller(client, token: nil).get(home.json["links"]["openapi"].string ?? "").status == .ok)
        }
    }

    @Test("metrics count requests by route template and status")
    func metrics() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            _ = try await api.get("/v1/organizations")
            _ = try await api.get("/v1/organizations/\(UUID())")
            _ = try await api.get("/v1/organizations/\(UUID())")
            let text = try await APICaller(client, token: nil).get("/metrics").text
            #expect(text.contains(#"http_requests_total{method="GET",route="/v1/organizations",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/v1/organizations/{id}",status="404"} 2"#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
        }
    }

    @Test("every response carries a request id; a well-formed incoming one is kept")
    func requestIDs() async throws {
        try await TestApp.run { client, _ in
            let generated = try await client.execute(uri: "/health", method: .get) { $0 }
            #expect((generated.headers[.requestID]?.count ?? 0) >= 8)
            let kept = try await client.execute(uri: "/health", method: .get, headers: [.requestID: "trace-abc-123"]) { $0 }
            #expect(kept.headers[.requestID] == "trace-abc-123")
            let replaced = try await client.execute(uri: "/health", method: .get, headers: [.requestID: "bad id with spaces"]) { $0 }
            #expect(replaced.headers[.requestID] != "bad id with spaces")
            let missing = try await client.execute(uri: "/nowhere", method: .get) { $0 }
            #expect(missing.status == .notFound)
            #expect(missing.headers[.requestID] != nil)
        }
    }

    @Test("oversized bodies are 413, not a crash")
    func oversizedBody() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let huge = #"{"kind":"company","name":""# + String(repeating: "x", count: 2 << 20) + #""}"#
            let response = try await api.post("/v1/organizations", huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.json["error"]["code"].string == "body_too_large")
        }
    }
}
