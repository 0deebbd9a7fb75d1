import FieldlineDomain
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/media/{id}`: inbound media files (photos, documents, voice notes) that members sent,
/// readable by whoever may see the message's conversation, or a proof the file belongs to.
struct MediaController: Sendable {
    let repository: any MediaRepository
    let store: any MediaStore
    let links: MediaLinks
    /// The externally visible base URL, for the links.
    let publicURL: String

    /// The body of `POST /v1/media/{id}/links`.
    struct LinkRequest: RequestBody {
        let expiresIn: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case expiresIn = "expires_in" }
    }

    /// A signed link.
    struct Link: ResponseEncodable {
        let url: String
        let expiresAt: Date
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("media/{id}", use: get)
        group.get("media/{id}/content", use: content)
        group.post("media/{id}/links", use: link)
    }

    /// A short-lived link to the content that works without a login (for an ERP's own users).
    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Link> {
        let media = try await item(context)
        let body = try await JSONBody.decode(LinkRequest.self, from: request, context: context)
        let lifetime = body.expiresIn ?? MediaLinks.defaultLifetime
        guard (10...MediaLinks.maxLifetime).contains(lifetime) else {
            throw ValidationError(field: "expires_in", message: "expires_in must be 10 to \(MediaLinks.maxLifetime) seconds")
        }
        guard media.status == .fetched else {
            throw APIError(.notFound, code: "media_not_fetched", message: "the media has not been fetched yet")
        }
        let expiresAt = Date(timeIntervalSinceNow: Double(lifetime))
        let token = links.token(mediaID: media.id, tenantID: try context.requirePrincipal().tenantID, expiresAt: expiresAt)
        let url = "\(publicURL)/v1/media-links/\(token)"
        return .created(Link(url: url, expiresAt: expiresAt), location: url)
    }

    /// The metadata: fetch status, SHA-256, size, detected content type, error.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> MediaItem {
        try await item(context)
    }

    /// The bytes, with the content type recognised from them; 404 until fetched.
    @Sendable func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let media = try await item(context)
        guard media.status == .fetched, let sha256 = media.sha256, let contentType = media.contentType else {
            let detail = media.status == .failed ? "could not be fetched: \(media.error ?? "unknown error")" : "has not been fetched yet"
            throw APIError(.notFound, code: "media_not_fetched", message: "the media \(detail)")
        }
        guard let body = try await store.body(sha256: sha256, context: context) else {
            context.logger.error("media file missing from the store", metadata: ["media": .string(media.id.uuidString), "sha256": .string(sha256)])
            throw APIError(.notFound, code: "media_not_fetched", message: "the media file is missing from storage")
        }
        let headers: HTTPFields = [
            .contentType: contentType,
            .eTag: "\"\(sha256)\"",
            // Content-addressed: the bytes behind this id never change.
            .cacheControl: "private, max-age=31536000, immutable",
            .contentDisposition: "inline",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }

    private func item(_ context: AppRequestContext) async throws -> MediaItem {
        let principal = try context.requirePrincipal()
        let access = MediaAccess(
            throughConversations: principal.permissions.contains(.conversationsRead),
            throughProofs: principal.permissions.contains(.proofsRead))
        guard access.throughConversations || access.throughProofs else { throw APIError.forbidden(.conversationsRead) }
        let id = try context.parameters.uuid("id", "media")
        guard let media = try await repository.get(id, viewer: Viewer(principal), access: access) else { throw APIError.notFound("media") }
        return media
    }
}
