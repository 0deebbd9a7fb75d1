/// Which IP addresses Fieldline may connect to on a tenant's behalf (webhook deliveries, a
/// flow's API call): never a private, loopback, link-local, CGNAT, metadata or unspecified one,
/// so a tenant cannot reach the servers' own network (server-side request forgery). Applied to
/// the address actually connected to, after DNS resolution (`OutboundGuard`).
public enum OutboundAddressPolicy {
    /// Why an address is refused, or nil when it is public. `address` is a numeric IPv4
    /// (`10.0.0.1`) or IPv6 (`fe80::1`, `::ffff:10.0.0.1`) address; anything else is refused.
    public static func refusal(_ address: String) -> String? {
        if let v4 = ipv4(address) { return refusal(v4: v4) }
        guard let v6 = ipv6(address) else { return "\(address) is not an IP address" }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach IPv4.
        if v6[0..<10].allSatisfy({ $0 == 0 }), (v6[10] == 0xff && v6[11] == 0xff) || (v6[10] == 0 && v6[11] == 0 && !isZeroOrOne(v6)) {
            return refusal(v4: Array(v6[12..<16])).map { "\(address) maps to IPv4: \($0)" }
        }
        if v6.allSatisfy({ $0 == 0 }) { return "\(address) is the unspecified address" }
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return "\(address) is loopback (::1)" }
        if v6[0] & 0xfe == 0xfc { return "\(address) is a unique local address (fc00::/7)" }
        if v6[0] == 0xfe && v6[1] & 0xc0 == 0x80 { return "\(address) is link-local (fe80::/10)" }
        if v6[0] == 0xfe && v6[1] & 0xc0 == 0xc0 { return "\(address) is site-local (fec0::/10)" }
        if v6[0] == 0xff { return "\(address) is multicast" }
        // NAT64 (64:ff9b::/96) reaches IPv4 too.
        if v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..<12].allSatisfy({ $0 == 0 }) {
            return refusal(v4: Array(v6[12..<16])).map { "\(address) translates to IPv4: \($0)" }
        }
        return nil
    }

    private static func isZeroOrOne(_ v6: [UInt8]) -> Bool { v6[0..<15].allSatisfy { $0 == 0 } && v6[15] <= 1 }

    private static func refusal(v4 b: [UInt8]) -> String? {
        let text = b.map(String.init).joined(separator: ".")
        switch (b[0], b[1]) {
        case (0, _): return "\(text) is in 0.0.0.0/8 (this network)"
        case (10, _): return "\(text) is private (10.0.0.0/8)"
        case (127, _): return "\(text) is loopback (127.0.0.0/8)"
        case (169, 254): return "\(text) is link-local or cloud metadata (169.254.0.0/16)"
        case (172, 16...31): return "\(text) is private (172.16.0.0/12)"
        case (192, 168): return "\(text) is private (192.168.0.0/16)"
        case (100, 64...127): return "\(text) is carrier-grade NAT (100.64.0.0/10)"
        case (192, 0) where b[2] == 0: return "\(text) is IETF protocol assignments (192.0.0.0/24)"
        case (198, 18...19): return "\(text) is benchmarking (198.18.0.0/15)"
        case (224...255, _): return "\(text) is multicast or reserved (224.0.0.0/3)"
        default: return nil
        }
    }

    /// The four bytes of a dotted-quad IPv4 address.
    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The sixteen bytes of an IPv6 address (with `::`, and a dotted IPv4 tail); a zone (`%eth0`) is ignored.
    static func ipv6(_ raw: String) -> [UInt8]? {
        let text = raw.split(separator: "%", maxSplits: 1).first.map(String.init) ?? raw
        guard text.contains(":") else { return nil }
        var tail: [UInt8] = []
        var body = Substring(text)
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = ipv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            body = text[...lastColon]
            if body.hasSuffix(":") && !body.hasSuffix("::") { body = body.dropLast() }
        }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        let wanted = (16 - tail.count) / 2
        var words: [UInt16]
        if let range = body.range(of: "::") {
            guard let head = groups(body[..<range.lowerBound]), let rest = groups(body[range.upperBound...]),
                  head.count + rest.count < wanted, !body[range.upperBound...].contains("::") else { return nil }
            words = head + Array(repeating: 0, count: wanted - head.count - rest.count) + rest
        } else {
            guard let all = groups(body), all.count == wanted else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } + tail
    }
}
