import AsyncHTTPClient
import FieldlineChannels
import FieldlineDomain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Downloads one media file into the `MediaStore` under the `MediaPolicy`: it stops reading as
/// soon as the size limit is passed or the first bytes show a type that is not allowed, and
/// follows at most a few redirects, dropping credentials when one leaves the original origin.
struct MediaDownloader: Sendable {
    /// Redirects followed before giving up (Twilio answers with one, to its storage).
    static let maxRedirects = 3

    let http: HTTPClient
    let intake: MediaIntake
    var policy: MediaPolicy { intake.policy }
    /// The whole download must finish within this (well inside the outbox lease).
    let timeout: TimeAmount

    /// What a download produced: the stored file, its type and (photos) its evidence facts.
    typealias Downloaded = MediaIntake.Received

    /// A GET that answered with something other than 2xx (after redirects).
    struct StatusError: Error, CustomStringConvertible {
        let status: Int
        let detail: String
        let retryAfter: Int?
        var description: String { "the provider answered \(status): \(detail)" }
    }

    /// Performs a GET and returns the body (JSON lookups such as WhatsApp's media URL or Telegram's `getFile`).
    func fetchJSON(_ url: String, headers: [ProviderRequest.Header]) async throws -> [UInt8] {
        let response = try await get(url, headers: headers)
        return Array(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// Downloads `url` into the store; `declaredType` only makes a refusal clearer, and
    /// `expectedSHA256` (hex), when the provider announced one, must match the bytes.
    func download(
        _ url: String, headers: [ProviderRequest.Header], declaredType: String?, expectedSHA256: String? = nil
    ) async throws -> Downloaded {
        let response = try await get(url, headers: headers)
        if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init) { try policy.check(size: length) }
        let session = try await intake.begin(declaredType: declaredType, photosOnly: false)
        do {
            for try await chunk in response.body { try await session.write(chunk) }
            return try await session.finish(expectedSHA256: expectedSHA256)
        } catch {
            await session.abort()
            throw error
        }
    }

    /// A GET with manual redirects; a non-2xx final answer throws `StatusError`.
    private func get(_ url: String, headers: [ProviderRequest.Header]) async throws -> HTTPClientResponse {
        let deadline = NIODeadline.now() + timeout
        var current = try Self.httpURL(url)
        var headers = headers
        for _ in 0...Self.maxRedirects {
            var request = HTTPClientRequest(url: current.absoluteString)
            request.method = .GET
            for header in headers { request.headers.add(name: header.name, value: header.value) }
            let response = try await http.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(status) {
                guard let location = response.headers.first(name: "Location"),
                    let next = URL(string: location, relativeTo: current)?.absoluteURL, let checked = try? Self.httpURL(next.absoluteString)
                else { throw StatusError(status: status, detail: "a redirect without a usable http(s) Location", retryAfter: nil) }
                if !MediaURL.sameOrigin(current, checked) { headers.removeAll { $0.name.lowercased() == "authorization" } }
                current = checked
                continue
            }
            guard (200..<300).contains(status) else {
                let body = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
                throw StatusError(status: status, detail: String(body.prefix(300)), retryAfter: response.headers.first(name: "Retry-After").flatMap(Int.init))
            }
            return response
        }
        throw StatusError(status: 310, detail: "more than \(Self.maxRedirects) redirects", retryAfter: nil)
    }

    /// `url` when it is an absolute http(s) URL with a host.
    static func httpURL(_ url: String) throws -> URL {
        guard let parsed = MediaURL.http(url) else { throw SendFailure.permanent(MediaDownloadError.notHTTP.description) }
        return parsed
    }
}

extension HTTPClient {
    /// The client for media downloads: it follows no redirects itself (`MediaDownloader` does,
    /// a few and with care for credentials) and decompresses nothing. Like `HTTPClient.shared`
    /// it lives as long as the process.
    static let media = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30))),
        backgroundActivityLogger: Logger(label: "fieldline.media.http"))
}
