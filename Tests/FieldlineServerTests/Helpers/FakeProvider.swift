import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// What the fake provider received.
struct RecordedRequest: Sendable {
    let method: String
    let path: String
    let authorization: String?
    let body: String
    /// The query string, if any (GET lookups such as Telegram's `getFile?file_id=`).
    var query: String? = nil
}

/// A canned answer to `GET <path>`: media bytes or a JSON lookup result.
struct FakeResponse: Sendable {
    var status = 200
    var contentType = "application/octet-stream"
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// When set, a request without exactly this `Authorization` gets a 401.
    var requiredAuthorization: String? = nil
    /// When true, a request carrying any `Authorization` gets a 400 (credentials must not leak here).
    var refuseAuthorization = false
    /// Stream the body in chunks without a `Content-Length`.
    var chunked = false

    /// A JSON answer.
    static func json(_ text: String, authorization: String? = nil) -> FakeResponse {
        FakeResponse(contentType: "application/json", body: Array(text.utf8), requiredAuthorization: authorization)
    }

    /// A redirect to `location`.
    static func redirect(_ location: String, authorization: String? = nil) -> FakeResponse {
        FakeResponse(status: 302, headers: ["Location": location], requiredAuthorization: authorization)
    }
}

/// The fake provider's memory and its failure switch.
actor FakeProviderLog {
    private(set) var requests: [RecordedRequest] = []
    /// Answer this many requests with this status before succeeding.
    var failures: [Int] = []
    /// Answers to GET requests, by path.
    private(set) var routes: [String: FakeResponse] = [:]
    /// Statuses to answer GETs of one path with, before its route.
    private var pathFailures: [String: [Int]] = [:]

    func record(_ request: RecordedRequest) -> Int? {
        requests.append(request)
        return failures.isEmpty ? nil : failures.removeFirst()
    }

    func failNext(_ statuses: [Int]) { failures = statuses }

    /// Serves `response` to `GET path`.
    func serve(_ path: String, _ response: FakeResponse) { routes[path] = response }

    /// Answers the next GETs of `path` with these statuses, one each, before serving its route.
    func failNext(_ statuses: [Int], path: String) { pathFailures[path] = statuses }

    /// Records a GET and picks its answer: a pending failure, the route, or nil (404).
    func recordGet(_ request: RecordedRequest) -> (failure: Int?, route: FakeResponse?) {
        requests.append(request)
        if var pending = pathFailures[request.path], !pending.isEmpty {
            let status = pending.removeFirst()
            pathFailures[request.path] = pending
            return (status, nil)
        }
        return (nil, routes[request.path])
    }

    /// The GET requests of `path`.
    func gets(_ path: String) -> [RecordedRequest] {
        requests.filter { $0.method == "GET" && $0.path == path }
    }
}

/// A local stand-in for the providers' APIs, on a real loopback port: it records every request
/// and answers POSTs like WhatsApp's send endpoint (`wamid.OUT-<n>`; Telegram's `result.message_id` is `<n>`), GETs with the routes a
/// test `serve`s (media lookups and bytes), or fails on demand.
enum FakeProvider {
    static func run(_ body: @Sendable (_ baseURL: String, _ log: FakeProviderLog) async throws -> Void) async throws {
        let log = FakeProviderLog()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let recorded = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path,
                authorization: request.headers[.authorization], body: String(buffer: bytes))
            if let status = await log.record(recorded) {
                return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"fake failure","code":\#(status)}}"#)))
            }
            let count = await log.requests.count
            // WhatsApp's send answer, with Telegram's `result.message_id` too (each reads its own field).
            let answer = #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.OUT-\#(count)"}],"ok":true,"result":{"message_id":\#(count)}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.get("**") { request, _ -> Response in
            let recorded = RecordedRequest(
                method: "GET", path: request.uri.path, authorization: request.headers[.authorization], body: "",
                query: request.uri.query)
            let (failure, route) = await log.recordGet(recorded)
            if let failure {
                return Response(status: .init(code: failure), body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"fake failure"}}"#)))
            }
            guard let route else { return Response(status: .notFound) }
            if let required = route.requiredAuthorization, recorded.authorization != required {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "wrong or missing credentials")))
            }
            if route.refuseAuthorization, recorded.authorization != nil {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "credentials sent to the storage host")))
            }
            var headers: HTTPFields = [.contentType: route.contentType]
            for (name, value) in route.headers { headers[HTTPField.Name(name)!] = value }
            guard route.chunked else {
                return Response(status: .init(code: route.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: route.body)))
            }
            let body = route.body
            return Response(status: .init(code: route.status), headers: headers, body: ResponseBody { writer in
                for start in stride(from: 0, to: body.count, by: 4096) {
                    try await writer.write(ByteBuffer(bytes: body[start..<min(start + 4096, body.count)]))
                }
                try await writer.finish(nil)
            })
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            guard let port = client.port else { throw TestSetupError("the fake provider has no port") }
            try await body("http://127.0.0.1:\(port)", log)
        }
    }
}

/// Polls `condition` until it holds or `seconds` pass; false on timeout (never hangs a test).
/// The default is long because it only delays a failing test: on a loaded machine (the outbox
/// worker and the stream publisher sharing 2 cores with the suite, or the Citus cluster's three
/// nodes) a condition that holds in a second when quiet has once taken more than 15 s.
func eventually(seconds: Double = 45, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
