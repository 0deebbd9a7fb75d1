import FieldlineDomain
import Testing

@Suite("CrewCode")
struct CrewCodeTests {
    @Test("upper-cases and trims valid codes", arguments: [
        ("RX-042", "RX-042"),
        ("rx-042", "RX-042"),
        ("  Rx-042\n", "RX-042"),
        ("AB", "AB"),
        ("42", "42"),
        ("A-", "A-"),
        ("A--B", "A--B"),
        ("crew7", "CREW7"),
        (String(repeating: "z", count: 32), String(repeating: "Z", count: 32)),
    ])
    func normalises(input: String, expected: String) throws {
        #expect(try CrewCode.normalize(input) == expected)
    }

    @Test("refuses codes of the wrong length or with other characters", arguments: [
        "",
        "   ",
        "A",
        " a ",
        String(repeating: "A", count: 33),
        "-RX",  // may not start with a dash
        "-",
        "--",
        "RX 042",
        "RX_042",
        "RX.042",
        "RX/042",
        "RÉ-042",
        "ÑU",
        "RX-٤٢",  // Arabic-Indic digits
        "RX-４２",  // full-width digits
        "X\u{0301}X",  // letter with a combining accent
        "1\u{FE0F}\u{20E3}2",  // keycap digit
    ])
    func refuses(input: String) throws {
        let error = try #require(throws: ValidationError.self) { try CrewCode.normalize(input) }
        #expect(error == ValidationError(
            field: "crew_code", message: "crew_code must be 2–32 letters, digits or dashes, e.g. RX-042"))
    }

    @Test("uses the given field name")
    func customField() throws {
        let error = try #require(throws: ValidationError.self) { try CrewCode.normalize("!", field: "code") }
        #expect(error.field == "code")
        #expect(error.code == "invalid_field")
        #expect(error.message.hasPrefix("code must be 2–32"))
    }
}
