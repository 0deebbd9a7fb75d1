import Foundation

/// An opaque pagination cursor: the id of the last item of the previous page.
///
/// Lists are ordered by UUIDv7 id, newest first, so the id alone marks a stable position.
public struct Cursor: Sendable, Equatable {
    /// The id of the last item already returned.
    public let lastID: UUID

    /// Wraps the id of the last item returned.
    public init(lastID: UUID) {
        self.lastID = lastID
    }

    /// Decodes a cursor string given by a client; nil when it is not one we issued.
    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), data.count == 16 else { return nil }
        let b = [UInt8](data)
        lastID = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                             b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// The URL-safe string handed to clients.
    public var encoded: String {
        let u = lastID.uuid
        let data = Data([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15])
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
