import Foundation
import Hummingbird

/// Serves the OpenAPI 3.1 document that describes every route, at `/openapi.yaml`.
struct OpenAPIController: Sendable {
    /// The document, read once (`BundledResource`).
    static var document: String? { BundledResource.text("openapi.yaml") }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            guard let document = Self.document else { throw APIError.notFound("OpenAPI document") }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }
}
