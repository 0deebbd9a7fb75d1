import Foundation
import Testing
@testable import FieldlineChannels

@Suite("JSON parsing of provider payloads")
struct JSONValueParserTests {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8), provider: .telegram)
    }

    static func refuses(_ text: String) -> Bool {
        (try? parse(text)) == nil
    }

    @Test("the published vectors read the same as through Foundation's JSONDecoder")
    func agreesWithFoundation() throws {
        let data = try Data(contentsOf: Vectors.fixtureURL)
        let ours = try JSONValue.parse(Array(data), provider: .whatsapp)
        #expect(ours == (try JSONDecoder().decode(JSONValue.self, from: data)))
        #expect(ours.elements.count == VectorsTests.publishedCount)
        // Payloads stored as JSON text inside the fixture agree too.
        for vector in Vectors.all {
            for case .string(let text) in vector.entry.at("inputs")?.members?.values.map({ $0 }) ?? [] where text.hasPrefix("{") {
                let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                #expect((try? Self.parse(text)) == decoded, "vector \(vector.index)")
            }
        }
    }

    @Test("strings: escapes, surrogate pairs, raw UTF-8; a lone surrogate and broken UTF-8 are repaired, not refused")
    func strings() throws {
        #expect(try Self.parse(#""a\n\t\"\\\/\b\f\r\u00e9\ud83d\ude00 ñ""#) == .string("a\n\t\"\\/\u{08}\u{0C}\r\u{E9}😀 ñ"))
        #expect(try Self.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try Self.parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try JSONValue.parse([0x22, 0x61, 0xFF, 0x62, 0x22], provider: .sms) == .string("a\u{FFFD}b"))
        #expect(try Self.parse(#"  {"k" : "v" , "k": "w"}  "#) == .object(["k": "w"]))
    }

    @Test("numbers: integers stay exact within 64 bits, everything else is a double")
    func numbers() throws {
        #expect(try Self.parse("[0, -0, 12, -12, 9223372036854775807, -9223372036854775808]")
            == .array([.integer(0), .integer(0), .integer(12), .integer(-12), .integer(.max), .integer(.min)]))
        #expect(try Self.parse("[1.5, -2.25e2, 1E3, 9223372036854775808, 40.4168]")
            == .array([.number(1.5), .number(-225), .number(1000), .number(9_223_372_036_854_775_808), .number(40.4168)]))
        #expect(try Self.parse("[true, false, null, [], {}]") == .array([.bool(true), .bool(false), .null, .array([]), .object([:])]))
        // A whole number written with a fraction or an exponent still reads as an id or a count.
        #expect(try Self.parse("1.0").int64 == 1 && Self.parse("1e2").text == "100" && Self.parse("1.5").int64 == nil)
        // Past 2^53 a double may be a neighbour of what was written: no id is made up from it.
        #expect(try Self.parse("-9223372036854775809").int64 == nil && Self.parse("12345678901234567.0").text == nil)
        // A UTF-8 byte order mark is ignored.
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), provider: .whatsapp) == .object(["a": .integer(1)]))
    }

    @Test("malformed JSON is refused with the provider and the byte where it went wrong")
    func refusals() throws {
        for text in ["", " ", "[1,]", #"{"a":1,}"#, "01", "1.", ".5", "+1", "-", "1e", "1e400", "NaN", "tru", "nul",
                     #""abc"#, "\"a\u{01}b\"", #""\x""#, #""\u12""#, "[1] x", #"{"a" 1}"#, #"{a:1}"#, "[1 2]", "{\"a\":}"] {
            #expect(Self.refuses(text), "accepted \(text.debugDescription)")
        }
        do {
            _ = try JSONValue.parse(Array(#"{"a": [1, 2,]}"#.utf8), provider: .whatsapp)
            Issue.record("a trailing comma was accepted")
        } catch {
            #expect(error == .malformedJSON(provider: .whatsapp, detail: "unexpected character at byte 12"))
        }
    }

    @Test("nesting is bounded: a hostile body is an error, not a stack overflow")
    func depth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.refuses(deep))
        let fine = String(repeating: "[", count: JSONValueParser.maxDepth) + String(repeating: "]", count: JSONValueParser.maxDepth)
        #expect(try Self.parse(fine) != .null)
        let tooDeep = String(repeating: "{\"a\":", count: JSONValueParser.maxDepth + 1) + "1" + String(repeating: "}", count: JSONValueParser.maxDepth + 1)
        #expect(Self.refuses(tooDeep))
    }
}
