import Foundation

/// A JSON object inside a request body whose accepted fields are its `CodingKeys`: like
/// `RequestBody` at the top level, a misspelt nested field is a 422 naming it, not silently dropped.
protocol NestedBody: Decodable, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

/// Any JSON object key.
private struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension NestedBody {
    /// Throws a 422 `unknown_field` when the object at `decoder` has a field `CodingKeys` does not list.
    static func refuseUnknownFields(_ decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let allowed = Set(CodingKeys.allCases.map(\.stringValue))
        guard let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) else { return }
        let field = JSONBody.path(decoder.codingPath + [AnyKey(stringValue: unknown)])
        throw APIError(.unprocessableContent, code: "unknown_field",
                       message: "unknown field '\(field)'; allowed: \(allowed.sorted().joined(separator: ", "))", field: field)
    }
}
