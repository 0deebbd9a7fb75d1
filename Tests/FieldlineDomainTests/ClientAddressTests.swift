import FieldlineDomain
import Testing

@Suite("Client address behind trusted proxies")
struct ClientAddressTests {
    @Test("addresses and CIDR blocks parse, IPv4-mapped IPv6 included; garbage does not")
    func parsing() {
        #expect(IPAddress("203.0.113.7")?.description == "203.0.113.7")
        #expect(IPAddress("::ffff:203.0.113.7")?.description == "203.0.113.7")
        #expect(IPAddress("[2001:db8::1]")?.bytes.count == 16)
        #expect(IPAddress("203.0.113.256") == nil)
        #expect(IPAddress("unknown") == nil)
        #expect(CIDRBlock("10.0.0.0/8")?.contains(IPAddress("10.200.1.2")!) == true)
        #expect(CIDRBlock("10.0.0.0/8")?.contains(IPAddress("11.0.0.1")!) == false)
        #expect(CIDRBlock("172.16.0.0/12")?.contains(IPAddress("172.31.255.255")!) == true)
        #expect(CIDRBlock("172.16.0.0/12")?.contains(IPAddress("172.32.0.0")!) == false)
        #expect(CIDRBlock("2001:db8::/32")?.contains(IPAddress("2001:db8:ffff::1")!) == true)
        #expect(CIDRBlock("2001:db8::/32")?.contains(IPAddress("10.0.0.1")!) == false)
        #expect(CIDRBlock("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        #expect(CIDRBlock("10.0.0.0/33") == nil)
        #expect(CIDRBlock("10.0.0.0/8/8") == nil)
        #expect(TrustedProxies.parse("10.0.0.0/8, ::1") == .success(TrustedProxies([CIDRBlock("10.0.0.0/8")!, CIDRBlock("::1")!])))
        #expect(TrustedProxies.parse("10.0.0.0/8,proxy.local") == .failure(.init(entry: "proxy.local")))
    }

    @Test("the client is the rightmost untrusted hop; a peer that is not a proxy is the client")
    func resolution() {
        let proxies = TrustedProxies([CIDRBlock("10.0.0.0/8")!, CIDRBlock("127.0.0.1")!])
        let peer = IPAddress("127.0.0.1")
        // A client that forged the first entry is still found by walking from the right.
        #expect(proxies.client(peer: peer, forwardedFor: ["1.1.1.1, 198.51.100.4, 10.0.0.5"])?.description == "198.51.100.4")
        #expect(proxies.client(peer: peer, forwardedFor: ["198.51.100.4", "10.0.0.5"])?.description == "198.51.100.4")
        #expect(proxies.client(peer: peer, forwardedFor: [])?.description == "127.0.0.1")
        // Every hop trusted: the leftmost.
        #expect(proxies.client(peer: peer, forwardedFor: ["10.1.1.1, 10.0.0.5"])?.description == "10.1.1.1")
        // Garbage stops the walk at the last good hop.
        #expect(proxies.client(peer: peer, forwardedFor: ["198.51.100.4, garbage, 10.0.0.5"])?.description == "10.0.0.5")
        // An untrusted peer: the header is ignored.
        #expect(proxies.client(peer: IPAddress("203.0.113.9"), forwardedFor: ["198.51.100.4"])?.description == "203.0.113.9")
        #expect(TrustedProxies().client(peer: peer, forwardedFor: ["198.51.100.4"])?.description == "127.0.0.1")
        #expect(proxies.client(peer: nil, forwardedFor: ["198.51.100.4"]) == nil)
    }
}
