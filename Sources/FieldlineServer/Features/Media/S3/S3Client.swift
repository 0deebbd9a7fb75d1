import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The few S3 calls the media store needs, signed with `SigV4`: HEAD, PUT and GET of an object,
/// the three steps of a multipart upload, and creating a bucket (for the migration and tests).
struct S3Client: Sendable {
    let settings: S3Settings
    let http: HTTPClient

    /// An S3 answer other than the one expected.
    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let detail: String
        var description: String { "the S3 store answered \(status): \(detail)" }
    }

    var signer: SigV4 { SigV4(accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey, region: settings.region) }

    /// The object key of a file.
    func key(sha256: String) -> String {
        "\(settings.prefix)objects/\(sha256.prefix(2))/\(sha256.dropFirst(2).prefix(2))/\(sha256)"
    }

    /// Whether the object exists.
    func exists(_ key: String) async throws -> Bool {
        let response = try await send("HEAD", key: key)
        if response.status.code == 404 { return false }
        try await expect(response, 200)
        return true
    }

    /// A GET of the object; nil when it does not exist. The caller streams the body.
    func get(_ key: String) async throws -> HTTPClientResponse? {
        let response = try await send("GET", key: key)
        if response.status.code == 404 {
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return nil
        }
        try await expect(response, 200, keepBody: true)
        return response
    }

    /// Uploads the local file `path` (`size` bytes, hex `sha256`) as `key`: one PUT, or a
    /// multipart upload when it is larger than the part size. The file is streamed, never read whole.
    func upload(file path: String, size: Int64, sha256: String, as key: String) async throws {
        if size <= Int64(settings.partSize) {
            let response = try await send("PUT", key: key, body: Self.stream(path, offset: 0, length: size), length: size, payloadHash: sha256)
            return try await expect(response, 200)
        }
        let created = try await send("POST", key: key, query: [("uploads", "")])
        try await expect(created, 200, keepBody: true)
        let xml = String(buffer: try await created.body.collect(upTo: 1 << 20))
        guard let uploadID = Self.element("UploadId", in: xml) else { throw Failure(status: 200, detail: "no UploadId in \(xml.prefix(200))") }
        do {
            var etags: [String] = []
            var offset: Int64 = 0
            while offset < size {
                let length = min(Int64(settings.partSize), size - offset)
                let hash = try await Self.hash(path, offset: offset, length: length)
                let part = try await send(
                    "PUT", key: key, query: [("partNumber", "\(etags.count + 1)"), ("uploadId", uploadID)],
                    body: Self.stream(path, offset: offset, length: length), length: length, payloadHash: hash)
                try await expect(part, 200)
                guard let etag = part.headers.first(name: "ETag") else { throw Failure(status: 200, detail: "a part was stored without an ETag") }
                etags.append(etag)
                offset += length
            }
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element)</ETag></Part>" }
            let body = ByteBuffer(string: "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>")
            let completed = try await send("POST", key: key, query: [("uploadId", uploadID)], bytes: body)
            try await expect(completed, 200, keepBody: true)
            // S3 may answer 200 with an error document when completing fails late.
            let answer = String(buffer: try await completed.body.collect(upTo: 1 << 20))
            if answer.contains("<Error>") { throw Failure(status: 200, detail: String(answer.prefix(300))) }
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    /// Deletes an object (the migration's tests clean up with it).
    func delete(_ key: String) async throws {
        try await expect(try await send("DELETE", key: key), 204)
    }

    /// Keys under `prefix` (the first 1000).
    func list(prefix: String) async throws -> [String] {
        let response = try await send("GET", key: nil, query: [("list-type", "2"), ("prefix", prefix)])
        try await expect(response, 200, keepBody: true)
        var xml = Substring(String(buffer: try await response.body.collect(upTo: 8 << 20)))
        var keys: [String] = []
        while let start = xml.range(of: "<Key>"), let end = xml.range(of: "</Key>", range: start.upperBound..<xml.endIndex) {
            keys.append(String(xml[start.upperBound..<end.lowerBound]))
            xml = xml[end.upperBound...]
        }
        return keys
    }

    /// Creates the bucket; an existing one of ours is fine.
    func createBucket() async throws {
        let response = try await send("PUT", key: nil)
        if response.status.code == 409 { return }
        try await expect(response, 200)
    }

    // MARK: Requests

    private func url(key: String?) -> (url: String, host: String, path: String) {
        let base = URL(string: settings.endpoint)!
        let scheme = base.scheme ?? "https"
        var host = base.host ?? ""
        if let port = base.port { host += ":\(port)" }
        let encodedKey = key.map { "/" + SigV4.encode($0, keepSlash: true) } ?? "/"
        if settings.pathStyle {
            let path = "/\(settings.bucket)" + (key == nil ? "" : encodedKey)
            return ("\(scheme)://\(host)\(path)", host, path)
        }
        host = "\(settings.bucket).\(host)"
        return ("\(scheme)://\(host)\(encodedKey)", host, encodedKey)
    }

    private func send(
        _ method: String, key: String?, query: [(String, String)] = [], bytes: ByteBuffer? = nil,
        body: HTTPClientRequest.Body? = nil, length: Int64? = nil, payloadHash: String? = nil
    ) async throws -> HTTPClientResponse {
        let target = url(key: key)
        let hash = payloadHash ?? bytes.map { SigV4.hex(SHA256.hash(data: Data($0.readableBytesView))) } ?? SigV4.emptyPayloadHash
        let date = Date()
        var headers = [("host", target.host), ("x-amz-content-sha256", hash), ("x-amz-date", SigV4.timestamp(date))]
        if let length { headers.append(("content-length", "\(length)")) } else if let bytes { headers.append(("content-length", "\(bytes.readableBytes)")) }
        let signed = signer.sign(SigV4.Request(method: method, path: target.path, query: query, headers: headers, payloadHash: hash), date: date)
        let queryString = query.map { $0.1.isEmpty && $0.0 == "uploads" ? "uploads" : "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }
        var request = HTTPClientRequest(url: target.url + (queryString.isEmpty ? "" : "?" + queryString.joined(separator: "&")))
        request.method = .init(rawValue: method)
        for (name, value) in headers where name != "content-length" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "authorization", value: signed.authorization)
        if let body, let length {
            request.body = body
            request.headers.add(name: "content-length", value: "\(length)")
        } else if let bytes {
            request.body = .bytes(bytes)
        }
        return try await http.execute(request, timeout: .seconds(120))
    }

    private func expect(_ response: HTTPClientResponse, _ status: Int, keepBody: Bool = false) async throws {
        guard Int(response.status.code) == status || (status == 200 && (200..<300).contains(Int(response.status.code))) else {
            let detail = (try? await response.body.collect(upTo: 8192)).map { String(buffer: $0) } ?? ""
            throw Failure(status: Int(response.status.code), detail: String((Self.element("Message", in: detail) ?? Self.element("Code", in: detail) ?? detail).prefix(300)))
        }
        if !keepBody { _ = try? await response.body.collect(upTo: 1 << 20) }
    }

    /// The text of the first `<name>` element of an XML answer.
    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }

    // MARK: Files

    /// `length` bytes of the file from `offset`, read in chunks as the request sends them.
    static func stream(_ path: String, offset: Int64, length: Int64) -> HTTPClientRequest.Body {
        .stream(FileChunks.stream(path, offset: offset, length: length), length: .known(length))
    }

    /// Hex SHA-256 of `length` bytes of the file from `offset`.
    static func hash(_ path: String, offset: Int64, length: Int64) async throws -> String {
        var hasher = SHA256()
        try await FileChunks.read(path, offset: offset, length: length) { hasher.update(data: Data($0.readableBytesView)) }
        return SigV4.hex(hasher.finalize())
    }

    /// The body of a GET as a stream of chunks.
    static func chunks(_ response: HTTPClientResponse) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await chunk in response.body { continuation.yield(chunk) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
