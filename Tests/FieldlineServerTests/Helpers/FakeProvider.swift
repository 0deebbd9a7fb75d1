import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

/// What the fake provider received.
struct RecordedRequest: Sendable {
    let method: String
    let path: String
    let authorization: String?
    let body: String
}

/// The fake provider's memory and its failure switch.
actor FakeProviderLog {
    private(set) var requests: [RecordedRequest] = []
    /// Answer this many requests with this status before succeeding.
    var failures: [Int] = []

    func record(_ request: RecordedRequest) -> Int? {
        requests.append(request)
        return failures.isEmpty ? nil : failures.removeFirst()
    }

    func failNext(_ statuses: [Int]) { failures = statuses }
}

/// A local stand-in for the providers' APIs, on a real loopback port: it records every request
/// and answers like WhatsApp's send endpoint (`wamid.OUT-<n>`), or fails on demand.
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
            let answer = #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.OUT-\#(count)"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            guard let port = client.port else { throw TestSetupError("the fake provider has no port") }
            try await body("http://127.0.0.1:\(port)", log)
        }
    }
}

/// Polls `condition` until it holds or `seconds` pass; false on timeout (never hangs a test).
func eventually(seconds: Double = 15, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
