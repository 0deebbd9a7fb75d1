import FieldlineDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/media-links/{token}`: a media file through a signed link, without a login. Photos
/// lose their EXIF GPS on the way out unless the tenant allows it (`gps_in_links`).
struct MediaLinkController: Sendable {
    let database: Database
    let store: any MediaStore
    let links: MediaLinks

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("media-links/{token}", use: serve)
    }

    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let target = links.verify(token) else { throw APIError.notFound("link") }
        let remaining = Int(target.expiresAt.timeIntervalSinceNow)
        guard remaining > 0 else { throw APIError(.gone, code: "link_expired", message: "the link expired at \(RFC3339.format(target.expiresAt)); ask for a new one") }
        let found = try await database.withTenant(target.tenantID) { connection in
            try await connection.query("""
                SELECT md.status, md.sha256, md.content_type, md.size_bytes, md.exif ? 'latitude',
                       coalesce((SELECT ps.gps_in_links FROM proof_settings ps WHERE ps.tenant_id = md.tenant_id), false)
                FROM media md WHERE md.tenant_id = \(target.tenantID) AND md.id = \(target.mediaID)
                """, logger: database.logger
            ).first { try $0.decode((String, String?, String?, Int64?, Bool?, Bool).self) }
        }
        guard let (status, sha256, contentType, size, hasGPS, gpsAllowed) = found else { throw APIError.notFound("media") }
        guard status == MediaStatus.fetched.rawValue, let sha256, let contentType else {
            throw APIError(.notFound, code: "media_not_fetched", message: "the media has not been fetched")
        }
        let strip = hasGPS == true && !gpsAllowed
        if strip, !ExifGPSStripper.strippableTypes.contains(contentType) {
            throw APIError(.forbidden, code: "gps_not_strippable",
                           message: "this \(contentType) photo carries EXIF GPS, which is only removed from JPEG and HEIC/HEIF photos; the tenant does not share GPS through links")
        }
        guard let chunks = try await store.chunks(sha256: sha256) else {
            throw APIError(.notFound, code: "media_not_fetched", message: "the media file is missing from storage")
        }
        var headers: HTTPFields = [
            .contentType: contentType,
            .cacheControl: "private, max-age=\(remaining)",
            .contentDisposition: "inline",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let size { headers[.contentLength] = String(size) }
        let body = ResponseBody { writer in
            if strip {
                try await Self.writeStripped(chunks, contentType: contentType, to: &writer)
            } else {
                for try await chunk in chunks { try await writer.write(chunk) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Streams a JPEG or HEIC/HEIF with its EXIF GPS blanked: the first bytes (where EXIF lives)
    /// are held, patched (same length), written, and the rest passes through. A photo whose GPS
    /// cannot be found there is cut off rather than served with it.
    static func writeStripped(
        _ chunks: AsyncThrowingStream<ByteBuffer, any Error>, contentType: String, to writer: inout any ResponseBodyWriter
    ) async throws {
        var head: [UInt8] = []
        var passing = false
        for try await chunk in chunks {
            if passing {
                try await writer.write(chunk)
                continue
            }
            head += chunk.readableBytesView
            if head.count >= ImageHeader.headLength {
                try strip(&head, contentType)
                try await writer.write(ByteBuffer(bytes: head))
                head = []
                passing = true
            }
        }
        if !passing {
            try strip(&head, contentType)
            try await writer.write(ByteBuffer(bytes: head))
        }
    }

    /// The GPS the database says the photo has was not found in its first bytes.
    struct GPSNotStripped: Error {}

    private static func strip(_ head: inout [UInt8], _ contentType: String) throws {
        guard ExifGPSStripper.strip(head: &head, contentType: contentType) else { throw GPSNotStripped() }
    }
}
