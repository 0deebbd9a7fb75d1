import Foundation
import Hummingbird

/// A short, unpaged list: `{"data": [...]}`.
struct ItemList<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let data: [Item]
}

extension EditedResponse {
    /// `201 Created`, with a `Location` header when the new resource has its own URL.
    static func created(_ response: Generator, location: String?) -> EditedResponse<Generator> {
        var headers = HTTPFields()
        if let location { headers[.location] = location }
        return EditedResponse(status: .created, headers: headers, response: response)
    }
}

extension EditedResponse {
    /// This response marked `Cache-Control: no-store`, for bodies that carry a secret (a token,
    /// a new API key), so no browser, proxy or cache keeps a copy.
    func noStore() -> EditedResponse<Generator> {
        var response = self
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
