#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16); IPv4-mapped IPv6 addresses
/// (`::ffff:1.2.3.4`) are taken as the IPv4 address they carry.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a textual address (`203.0.113.7`, `2001:db8::1`, `[2001:db8::1]`); nil otherwise.
    public init?(_ text: some StringProtocol) {
        var text = String(text).trimmingWhitespace()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        bytes = all.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(all.suffix(4)) : all
    }

    /// The usual text form.
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), or one address (`127.0.0.1`).
public struct CIDRBlock: Sendable, Hashable {
    /// The network's address.
    public let network: IPAddress
    /// Leading bits that must match.
    public let prefixLength: Int

    /// Parses `address[/length]`; nil when malformed.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard parts[1].count <= 3, let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        network = address
    }

    /// Whether `address` lies in this network (an IPv4 address never lies in an IPv6 block).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, network.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
            guard a & mask == b & mask else { return false }
            remaining -= 8
        }
        return true
    }
}

/// Which address a request comes from when proxies may stand in front of the server: the
/// socket's peer, unless that peer is a trusted proxy; then `X-Forwarded-For` is read from the
/// right, skipping trusted proxies, and the first other address is the client. Addresses a client
/// wrote into the header itself are never reached unless every hop after them is trusted.
public struct TrustedProxies: Sendable, Equatable {
    /// The proxies' networks; empty trusts no one (the header is ignored).
    public let blocks: [CIDRBlock]

    /// Proxies in these networks.
    public init(_ blocks: [CIDRBlock] = []) {
        self.blocks = blocks
    }

    /// Parses a comma-separated list of CIDR blocks; the failure names the first malformed entry.
    public static func parse(_ list: String) -> Result<TrustedProxies, InvalidEntry> {
        var blocks: [CIDRBlock] = []
        for entry in list.split(separator: ",") {
            let trimmed = String(entry).trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let block = CIDRBlock(trimmed) else { return .failure(InvalidEntry(entry: trimmed)) }
            blocks.append(block)
        }
        return .success(TrustedProxies(blocks))
    }

    /// A list entry that is not an address or CIDR block.
    public struct InvalidEntry: Error, Equatable {
        /// The entry as written.
        public let entry: String

        /// An entry that failed to parse.
        public init(entry: String) {
            self.entry = entry
        }
    }

    /// Whether `address` is one of the trusted proxies.
    public func trusts(_ address: IPAddress) -> Bool {
        blocks.contains { $0.contains(address) }
    }

    /// The client's address, from the socket's `peer` and the `X-Forwarded-For` header values
    /// (in order; each may list several addresses). Nil when the peer is unknown.
    public func client(peer: IPAddress?, forwardedFor headers: [String]) -> IPAddress? {
        guard let peer else { return nil }
        guard trusts(peer) else { return peer }
        let hops = headers.flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }
        var client = peer
        for hop in hops.reversed() {
            // Something that is not an address: the hops before it cannot be trusted either.
            guard let address = IPAddress(hop) else { return client }
            client = address
            if !trusts(address) { return address }
        }
        return client
    }
}
