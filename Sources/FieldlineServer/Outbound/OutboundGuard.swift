import AsyncHTTPClient
import FieldlineDomain
import Foundation
import NIOCore
import NIOPosix

/// Where a request on a tenant's behalf may go (webhook deliveries; a flow's API-calling step):
/// the URL's host is resolved once, every address is judged by `OutboundAddressPolicy`, and the
/// request is then made to that very address (AsyncHTTPClient's DNS override; TLS still checks
/// the host name), so a name that resolves to a public address for the check and a private one
/// for the connection cannot slip through. Redirects are not followed.
///
/// A tenant in development mode (`tenants.development_mode`, for local receivers in tests and
/// trials) may reach private and loopback addresses.
struct OutboundGuard: Sendable {
    /// Why a destination is refused.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// A destination that passed: the URL and the address to connect to.
    struct Destination: Sendable {
        let url: URL
        let host: String
        /// The checked address the request connects to.
        let address: String
    }

    /// Allow private and loopback addresses (the tenant's development mode).
    let allowPrivate: Bool

    /// Checks `url` (http or https, no credentials in it) and resolves its host to one address
    /// the policy allows. Throws `Refusal` saying why not.
    func check(_ raw: String) async throws -> Destination {
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw Refusal(description: "\(raw) is not an http or https URL")
        }
        guard url.user == nil, url.password == nil else { throw Refusal(description: "the URL must not carry credentials") }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await Self.resolve(bare, port: url.port ?? (scheme == "https" ? 443 : 80))
        guard !addresses.isEmpty else { throw Refusal(description: "\(host) does not resolve") }
        if allowPrivate { return Destination(url: url, host: bare, address: addresses[0]) }
        // Every address must pass: which one the client would pick is not ours to guess.
        for address in addresses {
            if let refusal = OutboundAddressPolicy.refusal(address) {
                throw Refusal(description: "\(host) resolves to a refused address: \(refusal)")
            }
        }
        return Destination(url: url, host: bare, address: addresses[0])
    }

    /// Sends `request` to `destination`'s checked address, without following redirects, within
    /// `timeout`. The client lives for this one request: its DNS override pins the address.
    func execute(_ request: HTTPClientRequest, to destination: Destination, timeout: Duration) async throws -> (HTTPClientResponse, ByteBuffer) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        if destination.host != destination.address { configuration.dnsOverride = [destination.host: destination.address] }
        configuration.connectionPool = .init(idleTimeout: .seconds(1))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            // Enough of the body to show in the delivery log; the rest is not read.
            let body = try await response.body.collect(upTo: 64 * 1024)
            try await client.shutdown()
            return (response, body)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The numeric addresses `host` resolves to (a literal address resolves to itself).
    static func resolve(_ host: String, port: Int) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let current = entry {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !addresses.contains(address) { addresses.append(address) }
                }
                entry = current.pointee.ai_next
            }
            return addresses
        }
    }
}
