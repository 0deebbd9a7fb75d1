import FieldlineDomain
import Testing

@Suite("PhoneNumber")
struct PhoneNumberTests {
    @Test("normalises what people type to E.164", arguments: [
        ("+34600123456", "+34600123456"),
        ("0034 600-123-456", "+34600123456"),
        ("  +34 600 123 456  ", "+34600123456"),
        ("+34 (600) 12.34.56", "+34600123456"),
        ("+34\u{00A0}600\u{00A0}123\u{00A0}456", "+34600123456"),
        ("\t+1 (415) 555-2671\n", "+14155552671"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+1234567", "+1234567"),  // 7 digits: the shortest accepted
        ("+123456789012345", "+123456789012345"),  // 15 digits: the longest accepted
    ])
    func normalises(input: String, expected: String) throws {
        let number = try PhoneNumber(parsing: input)
        #expect(number.e164 == expected)
        #expect(number.description == expected)
        #expect("\(number)" == expected)
    }

    @Test("numbers without an international prefix are refused", arguments: [
        "600123456", "0600123456", "(415) 555-2671", "34600123456", "34 600 123 456",
    ])
    func refusesNationalNumbers(input: String) throws {
        let error = try #require(throws: ValidationError.self) { try PhoneNumber(parsing: input) }
        #expect(error.field == "phone")
        #expect(error.code == "invalid_field")
        #expect(error.message == "phone must be in international format, e.g. +34600123456")
    }

    @Test("malformed international numbers are refused", arguments: [
        "",
        "   ",
        "+",
        "00",
        "+123456",  // 6 digits
        "+1234567890123456",  // 16 digits
        "0012345678901234567",
        "+034600123456",  // country code cannot start with 0
        "00034600123456",
        "+34 600 123 45x",
        "+34600123456#",
        "++34600123456",
        "+34/600/123/456",
        "+34_600_123_456",
        "+٣٤٦٠٠١٢٣٤٥٦",  // Arabic-Indic digits are not ASCII digits
        "+３４６００１２３４５６",  // full-width digits
    ])
    func refusesMalformed(input: String) throws {
        let error = try #require(throws: ValidationError.self) { try PhoneNumber(parsing: input) }
        #expect(error.field == "phone")
        #expect(error.code == "invalid_field")
    }

    @Test("digits carrying combining marks are not ASCII digits")
    func refusesCombiningMarks() throws {
        // "1️⃣" and "5́" are single Characters that start with an ASCII digit.
        #expect(throws: ValidationError.self) { try PhoneNumber(parsing: "+34600123\u{0301}456") }
        #expect(throws: ValidationError.self) { try PhoneNumber(parsing: "+3️⃣4️⃣6️⃣0️⃣0️⃣1️⃣2️⃣3️⃣") }
    }

    @Test("the error message and field use the given field name")
    func customField() throws {
        let national = try #require(throws: ValidationError.self) {
            try PhoneNumber(parsing: "600123456", field: "mobile")
        }
        #expect(national.field == "mobile")
        #expect(national.message.hasPrefix("mobile must be"))
        let short = try #require(throws: ValidationError.self) { try PhoneNumber(parsing: "+12", field: "mobile") }
        #expect(short.field == "mobile")
        #expect(short.message == "mobile must be '+' followed by 7 to 15 digits")
    }

    @Test("equal inputs after normalisation give equal, hashable values")
    func equality() throws {
        let a = try PhoneNumber(parsing: "0034 600-123-456")
        let b = try PhoneNumber(parsing: "+34 600 123 456")
        let c = try PhoneNumber(parsing: "+34 600 123 457")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }

    @Test("isASCIIDigit accepts only 0–9", arguments: Array("0123456789"))
    func asciiDigits(character: Character) {
        #expect(character.isASCIIDigit)
    }

    @Test("isASCIIDigit refuses everything else", arguments: [
        "a", "O", "/", ":", " ", "+", "٣", "３", "²", "½", "⑤", "\u{0035}\u{0301}", "1\u{FE0F}\u{20E3}", "\r\n",
    ] as [Character])
    func notASCIIDigits(character: Character) {
        #expect(!character.isASCIIDigit)
    }
}
