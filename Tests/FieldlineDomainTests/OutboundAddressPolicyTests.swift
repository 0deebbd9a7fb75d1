import FieldlineDomain
import Testing

@Suite("Outbound address policy")
struct OutboundAddressPolicyTests {
    @Test("private, loopback, link-local, CGNAT, metadata, unspecified and mapped forms are refused", arguments: [
        "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.254",
        "169.254.169.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "::1", "::", "fc00::1", "fdff::1", "fe80::1", "fe80::1%eth0",
        "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe", "::127.0.0.1", "64:ff9b::10.0.0.1", "ff02::1", "not-an-ip",
    ])
    func refused(_ address: String) {
        #expect(OutboundAddressPolicy.refusal(address) != nil)
    }

    @Test("public addresses pass", arguments: [
        "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "192.169.0.1",
        "2606:4700:4700::1111", "2001:db8::1", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8",
    ])
    func allowed(_ address: String) {
        #expect(OutboundAddressPolicy.refusal(address) == nil)
    }

    @Test("the reason names the range")
    func reasons() {
        #expect(OutboundAddressPolicy.refusal("169.254.169.254")?.contains("metadata") == true)
        #expect(OutboundAddressPolicy.refusal("::ffff:10.0.0.1")?.contains("maps to IPv4") == true)
    }
}
