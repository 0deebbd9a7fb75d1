import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path` for every operation under `paths:` (path keys at two spaces, methods at four).
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty { inPaths = line.hasPrefix("paths:") ; currentPath = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test("the served document lists exactly the router's routes")
    func matchesRouter() async throws {
        let router = try await inspectionRouter()
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        try await TestApp.run { client, _ in
            let response = try await APICaller(client, token: nil).get("/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(response.text.hasPrefix("openapi: 3.1"))
            let documented = Self.documentedOperations(response.text)
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
            #expect(documented.subtracting(routes).sorted() == [], "documented operations with no route")
        }
    }

    @Test("every business event type has its body in the document: in the discriminator and in its schema's enum")
    func everyEventType() async throws {
        try await TestApp.run { client, _ in
            let yaml = try await APICaller(client, token: nil).get("/openapi.yaml").text
            for type in BusinessEventType.allCases {
                #expect(yaml.contains("          \(type.rawValue): '#/components/schemas/"), "\(type.rawValue) is not in BusinessEvent's discriminator")
                #expect(yaml.contains("                - \(type.rawValue)\n"), "\(type.rawValue) is in no event schema's enum")
            }
        }
    }
}
