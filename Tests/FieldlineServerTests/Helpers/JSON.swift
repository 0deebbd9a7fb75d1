import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A parsed JSON value with forgiving subscripts, for reading responses in tests.
enum JSON: Sendable, Equatable, Decodable {
    case object([String: JSON]), array([JSON]), string(String), number(Double), bool(Bool), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSON].self)) }
    }

    subscript(key: String) -> JSON {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    subscript(index: Int) -> JSON {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return .null
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var double: Double? { if case .number(let value) = self { value } else { nil } }
    var int: Int? { double.map { Int($0) } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var array: [JSON] { if case .array(let value) = self { value } else { [] } }
    /// True for `null` and for a missing key alike (subscripts forgive); see `has` to tell them apart.
    var isNull: Bool { self == .null }
    /// Whether this object has `key` at all, `null` or not.
    func has(_ key: String) -> Bool { if case .object(let object) = self { object[key] != nil } else { false } }
    var uuid: UUID? { string.flatMap(UUID.init(uuidString:)) }
}

extension TestResponse {
    /// The body parsed as JSON (`.null` when it is not JSON).
    var json: JSON {
        (try? JSONDecoder().decode(JSON.self, from: Data(buffer: body))) ?? .null
    }

    /// The body as text.
    var text: String { String(buffer: body) }
}

/// Calls the API as one caller.
struct APICaller: Sendable {
    let client: any TestClientProtocol
    let token: String?

    init(_ client: any TestClientProtocol, token: String?) {
        self.client = client
        self.token = token
    }

    init(_ client: any TestClientProtocol, _ fixture: TenantFixture) {
        self.init(client, token: fixture.token)
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0 }
    }

    @discardableResult func get(_ path: String) async throws -> TestResponse { try await send(.get, path) }
    @discardableResult func post(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse { try await send(.post, path, body, headers: headers) }
    @discardableResult func patch(_ path: String, _ body: String) async throws -> TestResponse { try await send(.patch, path, body) }
    @discardableResult func put(_ path: String, _ body: String) async throws -> TestResponse { try await send(.put, path, body) }
    @discardableResult func delete(_ path: String) async throws -> TestResponse { try await send(.delete, path) }
}
