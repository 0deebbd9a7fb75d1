import Foundation
import Hummingbird

/// Serves the OpenAPI 3.1 document that describes every route, at `/openapi.yaml`.
struct OpenAPIController: Sendable {
    /// The document, read once. Found next to the executable (where SwiftPM and the Dockerfile
    /// put the resource bundle) or, in a source checkout, in `Sources/`. `Bundle.module` is not
    /// used because it stops the process when the bundle is missing.
    static let document: String? = {
        let bundle = "Fieldline_FieldlineServer.resources/openapi.yaml"
        let executableDirectory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(bundle),
            executableDirectory.appendingPathComponent(bundle),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Resources/openapi.yaml"),
        ]
        for url in candidates {
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        return nil
    }()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            guard let document = Self.document else { throw APIError.notFound("OpenAPI document") }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }
}
