import FieldlineDomain
import Testing

@Suite("ValidationError")
struct ValidationErrorTests {
    @Test("defaults to code invalid_field and describes itself by its message")
    func defaults() {
        let error = ValidationError(field: "name", message: "name must not be empty")
        #expect(error.field == "name")
        #expect(error.code == "invalid_field")
        #expect(error.message == "name must not be empty")
        #expect(error.description == "name must not be empty")
        #expect("\(error)" == "name must not be empty")
    }

    @Test("keeps a nil field and a custom code; equality covers every property")
    func equality() {
        let a = ValidationError(field: nil, code: "bad_thing", message: "m")
        #expect(a.field == nil)
        #expect(a.code == "bad_thing")
        #expect(a == ValidationError(field: nil, code: "bad_thing", message: "m"))
        #expect(a != ValidationError(field: "x", code: "bad_thing", message: "m"))
        #expect(a != ValidationError(field: nil, code: "other", message: "m"))
        #expect(a != ValidationError(field: nil, code: "bad_thing", message: "n"))
    }
}

@Suite("Validate.name")
struct ValidateNameTests {
    @Test("trims white space and keeps inner spacing")
    func trims() throws {
        #expect(try Validate.name("  Acme  Corp \n") == "Acme  Corp")
        #expect(try Validate.name("\u{00A0}\u{2003}Zoë\u{3000}") == "Zoë")
        #expect(try Validate.name("x") == "x")
    }

    @Test("refuses empty and blank names, naming the field", arguments: ["", " ", "\n\t ", "\u{00A0}\u{2028}"])
    func refusesEmpty(value: String) throws {
        let error = try #require(throws: ValidationError.self) { try Validate.name(value) }
        #expect(error == ValidationError(field: "name", message: "name must not be empty"))
        let custom = try #require(throws: ValidationError.self) { try Validate.name(value, field: "display_name") }
        #expect(custom == ValidationError(field: "display_name", message: "display_name must not be empty"))
    }

    @Test("counts characters, not bytes, against maxLength")
    func maxLength() throws {
        #expect(try Validate.name(String(repeating: "a", count: 200)).count == 200)
        #expect(try Validate.name(String(repeating: "é", count: 200)).count == 200)
        #expect(try Validate.name(String(repeating: "👩‍👩‍👧", count: 200)).count == 200)
        // Surrounding white space does not count.
        #expect(try Validate.name("  " + String(repeating: "a", count: 200) + "  ").count == 200)

        let error = try #require(throws: ValidationError.self) {
            try Validate.name(String(repeating: "a", count: 201))
        }
        #expect(error == ValidationError(field: "name", message: "name must be at most 200 characters"))

        #expect(try Validate.name("abcde", field: "code", maxLength: 5) == "abcde")
        let short = try #require(throws: ValidationError.self) {
            try Validate.name("abcdef", field: "code", maxLength: 5)
        }
        #expect(short == ValidationError(field: "code", message: "code must be at most 5 characters"))
    }
}

@Suite("Validate.optionalText")
struct ValidateOptionalTextTests {
    @Test("nil, empty and blank become nil")
    func blankIsNil() throws {
        #expect(try Validate.optionalText(nil, field: "notes") == nil)
        #expect(try Validate.optionalText("", field: "notes") == nil)
        #expect(try Validate.optionalText("  \n\t", field: "notes") == nil)
    }

    @Test("trims and keeps text")
    func keeps() throws {
        #expect(try Validate.optionalText("  back door \n", field: "notes") == "back door")
    }

    @Test("refuses text longer than maxLength, naming the field")
    func tooLong() throws {
        #expect(try Validate.optionalText(String(repeating: "n", count: 200), field: "notes")?.count == 200)
        let error = try #require(throws: ValidationError.self) {
            try Validate.optionalText(String(repeating: "n", count: 201), field: "notes")
        }
        #expect(error == ValidationError(field: "notes", message: "notes must be at most 200 characters"))
        #expect(try Validate.optionalText(" abc ", field: "x", maxLength: 3) == "abc")
        let short = try #require(throws: ValidationError.self) {
            try Validate.optionalText("abcd", field: "x", maxLength: 3)
        }
        #expect(short.field == "x")
        #expect(short.message == "x must be at most 3 characters")
    }
}

@Suite("Validate.range")
struct ValidateRangeTests {
    @Test("accepts values inside the closed range, bounds included", arguments: [-90.0, -0.0, 0, 45.5, 90])
    func inside(value: Double) throws {
        #expect(try Validate.range(value, -90...90, field: "latitude") == value)
    }

    @Test("refuses values outside the range and non-finite values", arguments: [
        -90.000001, 90.000001, -1000, 1e300, Double.nan, Double.infinity, -Double.infinity,
    ])
    func outside(value: Double) throws {
        let error = try #require(throws: ValidationError.self) {
            try Validate.range(value, -90...90, field: "latitude")
        }
        #expect(error == ValidationError(
            field: "latitude", code: "out_of_range", message: "latitude must be between -90 and 90"))
    }

    @Test("writes fractional bounds as decimals")
    func fractionalBounds() throws {
        let error = try #require(throws: ValidationError.self) { try Validate.range(3, 0.5...2.5, field: "ratio") }
        #expect(error.message == "ratio must be between 0.5 and 2.5")
    }

    @Test("an infinite bound does not crash the error message")
    func infiniteBound() throws {
        #expect(try Validate.range(1e308, 0...Double.infinity, field: "amount") == 1e308)
        let error = try #require(throws: ValidationError.self) {
            try Validate.range(-1, 0...Double.infinity, field: "amount")
        }
        #expect(error.field == "amount")
        #expect(error.code == "out_of_range")
        #expect(error.message == "amount must be between 0 and inf")
        let huge = try #require(throws: ValidationError.self) { try Validate.range(-1, 0...1e300, field: "amount") }
        #expect(huge.message == "amount must be between 0 and 1e+300")
    }
}

@Suite("Validate.tags")
struct ValidateTagsTests {
    @Test("lowercases, trims and removes duplicates, keeping first-seen order")
    func normalises() throws {
        let tags = try Validate.tags(["  VIP ", "zone:north", "vip", "Night_Shift", "zone:NORTH", "a-b"])
        #expect(tags == ["vip", "zone:north", "night_shift", "a-b"])
    }

    @Test("accepts letters of any script and ASCII digits")
    func unicodeLetters() throws {
        #expect(try Validate.tags(["Ñandú", "東京", "Straße", "2024", "r2-d2"]) == ["ñandú", "東京", "straße", "2024", "r2-d2"])
    }

    @Test("an empty list is fine")
    func empty() throws {
        #expect(try Validate.tags([]) == [])
    }

    @Test("refuses empty, too long or badly shaped tags, quoting the raw tag", arguments: [
        "", "   ", "two words", "semi;colon", "slash/ed", "dot.ted", "emoji🙂", "tab\there", "#hash", "٣",
        String(repeating: "t", count: 51),
    ])
    func refuses(tag: String) throws {
        let error = try #require(throws: ValidationError.self) { try Validate.tags(["ok", tag]) }
        #expect(error.field == "tags")
        #expect(error.code == "invalid_field")
        #expect(error.message == "tag '\(tag)' must be 1–50 letters, digits, '-', '_' or ':'")
    }

    @Test("a tag of exactly 50 characters is accepted")
    func fiftyCharacters() throws {
        let tag = String(repeating: "t", count: 50)
        #expect(try Validate.tags([" \(tag) "]) == [tag])
    }

    @Test("at most 50 tags, counted before de-duplication")
    func countLimit() throws {
        let fifty = (0..<50).map { "t\($0)" }
        #expect(try Validate.tags(fifty) == fifty)
        let error = try #require(throws: ValidationError.self) {
            try Validate.tags(Array(repeating: "same", count: 51), field: "labels")
        }
        #expect(error == ValidationError(field: "labels", message: "at most 50 tags are allowed"))
    }

    @Test("uses the given field name")
    func customField() throws {
        let error = try #require(throws: ValidationError.self) { try Validate.tags(["bad tag"], field: "labels") }
        #expect(error.field == "labels")
    }
}

@Suite("Validate.email")
struct ValidateEmailTests {
    @Test("lowercases and trims", arguments: [
        ("Ana@Example.COM", "ana@example.com"),
        ("  bob.smith+tag@mail.example.co.uk \n", "bob.smith+tag@mail.example.co.uk"),
        ("a@b.c", "a@b.c"),
    ])
    func accepts(input: String, expected: String) throws {
        #expect(try Validate.email(input) == expected)
    }

    @Test("refuses things that are not shaped like an email", arguments: [
        "", "   ", "plainaddress", "@example.com", "ana@", "ana@example", "ana@@example.com", "ana@b@example.com",
        "ana@.example.com", "ana@example.com.", "ana smith@example.com", "ana@exam ple.com", "ana\t@example.com",
        "ana\n@example.com", "ana@example.com\r\nBcc: eve@example.com", "ana@exa\u{00A0}mple.com",
    ])
    func refuses(input: String) throws {
        let error = try #require(throws: ValidationError.self) { try Validate.email(input) }
        #expect(error == ValidationError(field: "email", message: "email must be an email address"))
    }

    @Test("refuses addresses longer than 254 characters")
    func length() throws {
        let domain = "@example.com"  // 12 characters
        let ok = String(repeating: "a", count: 254 - domain.count) + domain
        #expect(try Validate.email(ok) == ok)
        #expect(throws: ValidationError.self) { try Validate.email("a" + ok) }
    }

    @Test("uses the given field name")
    func customField() throws {
        let error = try #require(throws: ValidationError.self) { try Validate.email("nope", field: "contact_email") }
        #expect(error == ValidationError(field: "contact_email", message: "contact_email must be an email address"))
    }
}

@Suite("String.trimmingWhitespace")
struct TrimmingWhitespaceTests {
    @Test("removes leading and trailing white space of any kind", arguments: [
        ("abc", "abc"),
        ("  abc  ", "abc"),
        ("\n\t abc \r\n", "abc"),
        ("\u{00A0}\u{2003}\u{3000}abc\u{2029}", "abc"),
        ("a b\tc", "a b\tc"),
        ("", ""),
        (" \n\t ", ""),
        (" é ", "é"),
        (" e\u{0301} ", "e\u{0301}"),
    ])
    func trims(input: String, expected: String) {
        #expect(input.trimmingWhitespace() == expected)
    }
}

@Suite("Validate.fits")
struct ValidateFitsTests {
    @Test("one character built of thousands of combining marks does not pass as one")
    func combiningMarks() {
        let marks = "a" + String(repeating: "\u{301}", count: 3000)
        #expect(marks.count == 1)
        #expect(!Validate.fits(marks, maxLength: 200))
        #expect(throws: ValidationError.self) { try Validate.name(marks) }
        #expect(throws: ValidationError.self) { try Validate.optionalText(marks, field: "title") }
        #expect(Validate.fits("👨🏻‍👩🏻‍👧🏻‍👦🏻", maxLength: 1))
    }

    @Test("an email of 254 characters of many bytes each is refused")
    func emailBytes() {
        let local = String(repeating: "a\u{301}\u{302}", count: 240)
        #expect(!Validate.fitsEmail(local + "@b.test"))
        #expect(throws: ValidationError.self) { try Validate.email(local + "@b.test") }
    }
}
