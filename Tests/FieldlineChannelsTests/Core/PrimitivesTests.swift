@testable import FieldlineChannels
import Testing

@Suite("Primitives: constant-time compare, hex, forms, JSON, text chunks")
struct PrimitivesTests {
    @Test("constant-time equality of bytes and strings")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(ConstantTime.equals("secret-token", "secret-token"))
        #expect(!ConstantTime.equals("secret-token", "secret-tokeN"))
        #expect(!ConstantTime.equals("secret", "secret-token"))
    }

    @Test("hex round-trips and refuses non-hex")
    func hex() {
        #expect(Hex.encode([0x00, 0xAB, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test("form bodies decode '+' and escapes, keep repeats, and round-trip")
    func forms() {
        let fields = FormEncoding.decode(Array("Body=It%27s+amazing&MediaUrl=a&MediaUrl=b&Empty=&Bad=%zz".utf8))
        #expect(fields == [FormField("Body", "It's amazing"), FormField("MediaUrl", "a"), FormField("MediaUrl", "b"),
                           FormField("Empty", ""), FormField("Bad", "%zz")])
        let original = [FormField("To", "+34600123456"), FormField("Body", "1) Accept\n2) Décline & more")]
        #expect(FormEncoding.decode(FormEncoding.encode(original)) == original)
        #expect(String(decoding: FormEncoding.encode([FormField("To", "+1 2")]), as: UTF8.self) == "To=%2B1+2")
    }

    @Test("malformed JSON is a typed error with a readable description")
    func malformedJSON() {
        do {
            _ = try WhatsAppInbound.parse(Array("{\"object\": ".utf8))
            Issue.record("malformed JSON was accepted")
        } catch {
            guard case .malformedJSON(let provider, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(provider == .whatsapp)
            #expect(error.description.hasPrefix("the whatsapp webhook body is not valid JSON"))
        }
    }

    @Test("lenient JSON reads numbers as text and large integers exactly")
    func lenientJSON() throws {
        let value = try JSONValue.parse(Array(#"{"id": 134567890097, "big": 4503599627370497, "s": "12"}"#.utf8), provider: .telegram)
        #expect(value["id"]?.text == "134567890097")
        #expect(value["big"]?.int64 == 4_503_599_627_370_497)
        #expect(value["s"]?.int64 == 12)
        #expect(value["missing"]?.text == nil)
        #expect(value[0] == nil)
    }

    @Test("long text is split at spaces within the limit")
    func chunks() {
        #expect(TextChunks.split("short", limit: 10) == ["short"])
        #expect(TextChunks.split("aaaa bbbb cccc", limit: 10) == ["aaaa bbbb", "cccc"])
        #expect(TextChunks.split(String(repeating: "x", count: 25), limit: 10).map(\.count) == [10, 10, 5])
    }
}
