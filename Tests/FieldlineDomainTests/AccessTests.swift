import FieldlineDomain
import Testing

@Suite("Roles and permissions")
struct RolesTests {
    @Test("role raw values are the wire names")
    func rawValues() {
        #expect(UserRole.allCases.map(\.rawValue) == ["admin", "supervisor", "agent"])
        #expect(TeamRole.allCases.map(\.rawValue) == ["member", "supervisor"])
        #expect(Permission.allCases.map(\.rawValue) == [
            "network:read", "network:write", "users:read", "users:write", "api_keys:manage",
            "conversations:read", "conversations:write", "inbound:write", "adapters:manage",
            "routing:manage",
            "analytics:read",
            "jobs:read", "jobs:write", "proofs:read", "proofs:write",
            "events:read", "webhooks:manage",
        ])
    }

    @Test("admins get every permission except posting inbound messages as an adapter")
    func admin() {
        #expect(Permission.granted(to: .admin) == Set(Permission.allCases).subtracting([.inboundWrite]))
        #expect(Permission.granted(to: .admin).contains(.apiKeysManage))
        #expect(Permission.granted(to: .admin).contains(.usersWrite))
    }

    @Test("supervisors model the network, read users and configure routing and read analytics, but manage neither users nor keys")
    func supervisor() {
        #expect(Permission.granted(to: .supervisor) == [
            .networkRead, .networkWrite, .usersRead, .conversationsRead, .conversationsWrite, .routingManage, .analyticsRead,
            .jobsRead, .jobsWrite, .proofsRead, .proofsWrite,
        ])
    }

    @Test("agents read the network, work conversations, dispatch jobs and review proofs")
    func agent() {
        #expect(Permission.granted(to: .agent) == [
            .networkRead, .usersRead, .conversationsRead, .conversationsWrite, .jobsRead, .jobsWrite, .proofsRead, .proofsWrite,
        ])
    }

    @Test("each role's permissions include those of the roles below it")
    func monotonic() {
        #expect(Permission.granted(to: .agent).isStrictSubset(of: Permission.granted(to: .supervisor)))
        #expect(Permission.granted(to: .supervisor).isStrictSubset(of: Permission.granted(to: .admin)))
    }

    @Test("only admins manage API keys or write users", arguments: UserRole.allCases)
    func adminOnly(role: UserRole) {
        let granted = Permission.granted(to: role)
        #expect(granted.contains(.apiKeysManage) == (role == .admin))
        #expect(granted.contains(.usersWrite) == (role == .admin))
        #expect(granted.contains(.networkRead))
    }
}

@Suite("APIKeyScope")
struct APIKeyScopeTests {
    @Test("every permission except api_keys:manage may be given to a key")
    func all() {
        #expect(APIKeyScope.all == [
            .networkRead, .networkWrite, .usersRead, .usersWrite, .conversationsRead, .conversationsWrite, .inboundWrite, .routingManage, .analyticsRead,
            .jobsRead, .jobsWrite, .proofsRead, .proofsWrite, .eventsRead, .webhooksManage,
        ])
        #expect(!APIKeyScope.all.contains(.apiKeysManage))
    }

    @Test("parses known scopes, dropping duplicates and keeping first-seen order")
    func parses() throws {
        #expect(try APIKeyScope.parse(["network:read"]) == [.networkRead])
        #expect(try APIKeyScope.parse(["users:write", "network:read", "users:write", "network:read"])
            == [.usersWrite, .networkRead])
        #expect(try APIKeyScope.parse(APIKeyScope.all.map(\.rawValue)) == APIKeyScope.all)
    }

    @Test("an empty list is refused")
    func empty() throws {
        let error = try #require(throws: ValidationError.self) { try APIKeyScope.parse([]) }
        #expect(error == ValidationError(field: "scopes", message: "at least one scope is required"))
    }

    @Test("unknown scopes and api_keys:manage are refused by name", arguments: [
        "api_keys:manage", "admin", "", "network:*", "Network:Read", " network:read", "network_read", "*",
    ])
    func refuses(scope: String) throws {
        let error = try #require(throws: ValidationError.self) { try APIKeyScope.parse(["network:read", scope]) }
        #expect(error == ValidationError(
            field: "scopes",
            message: "unknown scope '\(scope)'; allowed: network:read, network:write, users:read, users:write, conversations:read, conversations:write, inbound:write, routing:manage, analytics:read, jobs:read, jobs:write, proofs:read, proofs:write, events:read, webhooks:manage"))
    }

    @Test("uses the given field name")
    func customField() throws {
        let empty = try #require(throws: ValidationError.self) { try APIKeyScope.parse([], field: "key.scopes") }
        #expect(empty.field == "key.scopes")
        let unknown = try #require(throws: ValidationError.self) {
            try APIKeyScope.parse(["api_keys:manage"], field: "key.scopes")
        }
        #expect(unknown.field == "key.scopes")
        #expect(unknown.message.hasPrefix("unknown scope 'api_keys:manage'"))
    }
}

@Suite("APIKeyToken")
struct APIKeyTokenTests {
    private static let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    @Test("generated keys are the marker followed by 40 base-62 characters")
    func generatedShape() {
        #expect(APIKeyToken.marker == "fl_live_")
        for _ in 0..<200 {
            let secret = APIKeyToken.generate().secret
            #expect(secret.hasPrefix("fl_live_"))
            #expect(secret.count == 48)
            #expect(secret.utf8.count == 48)
            #expect(secret.dropFirst(8).allSatisfy { Self.alphabet.contains($0) })
        }
    }

    @Test("generated keys are random")
    func generatedRandom() {
        let secrets = (0..<1000).map { _ in APIKeyToken.generate().secret }
        #expect(Set(secrets).count == secrets.count)
        // Over 40 000 random characters, all 62 symbols show up.
        #expect(Set(secrets.flatMap { $0.dropFirst(8) }) == Self.alphabet)
    }

    @Test("a generated key parses back to an equal token")
    func roundTrip() throws {
        for _ in 0..<100 {
            let token = APIKeyToken.generate()
            let parsed = try #require(APIKeyToken(parsing: token.secret))
            #expect(parsed == token)
            #expect(parsed.secret == token.secret)
        }
    }

    @Test("parsing accepts any well-shaped key")
    func parsesWellShaped() throws {
        let secret = "fl_live_" + String(repeating: "0", count: 20) + String(repeating: "z", count: 20)
        #expect(try #require(APIKeyToken(parsing: secret)).secret == secret)
        let mixed = "fl_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd"
        #expect(try #require(APIKeyToken(parsing: mixed)).secret == mixed)
    }

    @Test("parsing refuses anything else", arguments: [
        "",
        "fl_live_",
        "fl_live_" + String(repeating: "a", count: 39),
        "fl_live_" + String(repeating: "a", count: 41),
        "fl_test_" + String(repeating: "a", count: 40),
        "FL_LIVE_" + String(repeating: "a", count: 40),
        "fl_live" + String(repeating: "a", count: 41),
        String(repeating: "a", count: 48),
        " fl_live_" + String(repeating: "a", count: 40),
        "fl_live_" + String(repeating: "a", count: 40) + " ",
        "fl_live_" + String(repeating: "a", count: 39) + "-",
        "fl_live_" + String(repeating: "a", count: 39) + "_",
        "fl_live_" + String(repeating: "a", count: 39) + "=",
        "fl_live_" + String(repeating: "a", count: 39) + "é",
        "fl_live_" + String(repeating: "a", count: 39) + "a\u{0301}",
        "fl_live_" + String(repeating: "a", count: 39) + "１",
        "Bearer fl_live_" + String(repeating: "a", count: 40),
    ])
    func refuses(candidate: String) {
        #expect(APIKeyToken(parsing: candidate) == nil)
    }

    @Test("the prefix is the marker and the first four random characters")
    func prefix() throws {
        let token = try #require(APIKeyToken(parsing: "fl_live_AbC9" + String(repeating: "x", count: 36)))
        #expect(token.prefix == "fl_live_AbC9")
        for _ in 0..<50 {
            let generated = APIKeyToken.generate()
            #expect(generated.prefix.count == 12)
            #expect(generated.secret.hasPrefix(generated.prefix))
        }
    }
}
