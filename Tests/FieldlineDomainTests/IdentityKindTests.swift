import FieldlineDomain
import Testing

@Suite("IdentityKind")
struct IdentityKindTests {
    @Test("raw values are the wire names")
    func rawValues() {
        #expect(IdentityKind.allCases.map(\.rawValue) == ["whatsapp", "telegram", "sms", "messenger", "app", "sandbox"])
    }

    @Test("phone-based kinds normalise to E.164", arguments: [IdentityKind.whatsapp, .sms])
    func phoneKinds(kind: IdentityKind) throws {
        #expect(try kind.normalize(externalID: "0034 600-123-456") == "+34600123456")
        #expect(try kind.normalize(externalID: " +1 (415) 555-2671 ") == "+14155552671")
    }

    @Test("phone-based kinds refuse national numbers and report the given field", arguments: [
        IdentityKind.whatsapp, .sms,
    ])
    func phoneKindsRefuse(kind: IdentityKind) throws {
        let error = try #require(throws: ValidationError.self) { try kind.normalize(externalID: "600123456") }
        #expect(error.field == "external_id")
        #expect(error.message == "external_id must be in international format, e.g. +34600123456")
        let custom = try #require(throws: ValidationError.self) {
            try kind.normalize(externalID: "abc", field: "identities[0].external_id")
        }
        #expect(custom.field == "identities[0].external_id")
    }

    @Test("telegram ids are numeric chat ids, normalised", arguments: [
        ("123456789", "123456789"),
        ("  123456789\n", "123456789"),
        ("-1001234567890", "-1001234567890"),  // group and channel ids are negative
        ("+42", "42"),
        ("007", "7"),
        ("9223372036854775807", "9223372036854775807"),
    ])
    func telegram(input: String, expected: String) throws {
        #expect(try IdentityKind.telegram.normalize(externalID: input) == expected)
    }

    @Test("telegram refuses zero, empty and non-numeric ids", arguments: [
        "", "   ", "0", "-0", "000", "@username", "12a", "12 34", "1.5", "9223372036854775808", "٣",
    ])
    func telegramRefuses(input: String) throws {
        let error = try #require(throws: ValidationError.self) { try IdentityKind.telegram.normalize(externalID: input) }
        #expect(error == ValidationError(field: "external_id", message: "a telegram external_id is a numeric chat id"))
        let custom = try #require(throws: ValidationError.self) {
            try IdentityKind.telegram.normalize(externalID: input, field: "chat_id")
        }
        #expect(custom == ValidationError(field: "chat_id", message: "a telegram chat_id is a numeric chat id"))
    }

    @Test("messenger and app ids are trimmed, non-empty names", arguments: [IdentityKind.messenger, .app])
    func freeForm(kind: IdentityKind) throws {
        #expect(try kind.normalize(externalID: "  PSID-1234 ") == "PSID-1234")
        #expect(try kind.normalize(externalID: "User@Example") == "User@Example")  // case is kept
        let empty = try #require(throws: ValidationError.self) { try kind.normalize(externalID: "  ") }
        #expect(empty == ValidationError(field: "external_id", message: "external_id must not be empty"))
        let long = try #require(throws: ValidationError.self) {
            try kind.normalize(externalID: String(repeating: "x", count: 201))
        }
        #expect(long == ValidationError(field: "external_id", message: "external_id must be at most 200 characters"))
        #expect(try kind.normalize(externalID: String(repeating: "x", count: 200)).count == 200)
    }
}

@Suite("OrganizationKind and string enum parsing")
struct OrganizationKindTests {
    @Test("raw values are the wire names")
    func rawValues() {
        #expect(OrganizationKind.allCases.map(\.rawValue) == ["company", "partner", "subcontractor", "customer"])
    }

    @Test("parse accepts every raw value", arguments: OrganizationKind.allCases)
    func parsesAll(kind: OrganizationKind) throws {
        #expect(try OrganizationKind.parse(kind.rawValue, field: "kind") == kind)
    }

    @Test("parse is exact: unknown, differently cased or padded values are refused", arguments: [
        "", "Company", "COMPANY", " company", "company ", "vendor", "subcontractors",
    ])
    func refuses(raw: String) throws {
        let error = try #require(throws: ValidationError.self) { try OrganizationKind.parse(raw, field: "kind") }
        #expect(error == ValidationError(
            field: "kind", message: "kind must be one of: company, partner, subcontractor, customer"))
    }

    @Test("parse works for the other string enums and lists their values")
    func otherEnums() throws {
        #expect(try IdentityKind.parse("telegram", field: "kind") == .telegram)
        #expect(try UserRole.parse("supervisor", field: "role") == .supervisor)
        #expect(try TeamRole.parse("member", field: "team_role") == .member)
        #expect(try Permission.parse("network:write", field: "permission") == .networkWrite)

        let role = try #require(throws: ValidationError.self) { try UserRole.parse("owner", field: "role") }
        #expect(role == ValidationError(field: "role", message: "role must be one of: admin, supervisor, agent"))
        let team = try #require(throws: ValidationError.self) { try TeamRole.parse("lead", field: "team_role") }
        #expect(team.message == "team_role must be one of: member, supervisor")
        let identity = try #require(throws: ValidationError.self) { try IdentityKind.parse("email", field: "kind") }
        #expect(identity.message == "kind must be one of: whatsapp, telegram, sms, messenger, app, sandbox")
    }
}
