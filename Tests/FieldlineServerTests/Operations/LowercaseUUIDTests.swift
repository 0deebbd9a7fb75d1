import Foundation
import Testing
@testable import FieldlineServer

/// The response encoder writes UUIDs in lower case at any depth and leaves everything else to
/// `JSONEncoder` (snake_case keys, RFC 3339 dates, dictionary keys as they are).
@Suite("lower-case UUIDs in responses")
struct LowercaseUUIDTests {
    struct Inner: Encodable {
        let ownerId: UUID
        let maybe: UUID?
        let small: Int32
        let ratio: Float
        let byte: UInt8
    }

    struct Outer: Encodable {
        let id: UUID
        let ids: [UUID]
        let inner: Inner
        let at: Date
        let byName: [String: UUID]
        let text: String
        let absent: UUID?
    }

    @Test("ids, nested ids, arrays and dictionaries of ids are lower case; dates, numbers, text and keys are untouched")
    func encoding() throws {
        let id = try #require(UUID(uuidString: "0190F3C2-8B1E-7A44-9C3D-ABCDEF012345"))
        let value = Outer(id: id, ids: [id, id], inner: Inner(ownerId: id, maybe: id, small: -3, ratio: 0.5, byte: 7),
                          at: Date(timeIntervalSince1970: 0), byName: ["camelKey": id], text: "ABC-DEF", absent: nil)
        let json = String(decoding: try AppRequestContext.encoder.encode(value), as: UTF8.self)
        let lower = "0190f3c2-8b1e-7a44-9c3d-abcdef012345"
        #expect(json == #"{"at":"1970-01-01T00:00:00.000Z","by_name":{"camelKey":"\#(lower)"},"id":"\#(lower)","ids":["\#(lower)","\#(lower)"],"inner":{"byte":7,"maybe":"\#(lower)","owner_id":"\#(lower)","ratio":0.5,"small":-3},"text":"ABC-DEF"}"#)
        #expect(UUID(uuidString: lower) == id)
    }
}
