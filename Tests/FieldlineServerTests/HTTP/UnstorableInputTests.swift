import FieldlineDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
@testable import FieldlineServer

/// Input PostgreSQL or bcrypt cannot take as it is (issue 15): U+0000 anywhere, and text too
/// long for an index row. Each is a 4xx JSON error naming the field, never a 500.
@Suite("NUL characters and oversized indexed text")
struct UnstorableInputTests {
    /// Expects a 4xx JSON error with `code` naming `field`.
    private func expectRefused(_ response: TestResponse, _ status: HTTPResponse.Status, code: String, field: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, "\(response.status.code): \(response.text)", sourceLocation: sourceLocation)
        #expect(response.json["error"]["code"].string == code, sourceLocation: sourceLocation)
        #expect(response.json["error"]["field"].string == field, sourceLocation: sourceLocation)
    }

    @Test("U+0000 in a body field, a nested field, a query filter, a path segment or a login is a 4xx naming it")
    func nulEverywhere() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let anonymous = APICaller(client, token: nil)
            expectRefused(try await admin.post("/v1/organizations", #"{"kind":"company","name":"Sol\u0000"}"#),
                          .unprocessableContent, code: "invalid_character", field: "name")
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"company","name":"Sol"}"#).json["id"].string)
            expectRefused(try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"messenger","external_id":"x\u0000y"}]}"#),
                          .unprocessableContent, code: "invalid_character", field: "identities[0].external_id")
            expectRefused(try await admin.get("/v1/members?q=an%00a"), .badRequest, code: "invalid_character", field: "q")
            expectRefused(try await admin.get("/v1/search?q=%00"), .badRequest, code: "invalid_character", field: "q")
            let conversation = UUID()
            expectRefused(try await admin.send(.put, "/v1/conversations/\(conversation)/tags/vip%00"),
                          .badRequest, code: "invalid_character", field: "path")
            expectRefused(try await anonymous.post("/v1/auth/login", #"{"email":"a\u0000@b.test","password":"whatever it is"}"#),
                          .unprocessableContent, code: "invalid_character", field: "email")
            expectRefused(try await anonymous.post("/v1/auth/login", #"{"email":"a@b.test","password":"\u0000whatever"}"#),
                          .unprocessableContent, code: "invalid_character", field: "password")
        }
    }

    @Test("a password holding U+0000 cannot be set, and never matches the empty password's hash")
    func nulPasswords() async throws {
        let hasher = PasswordHasher(cost: 4)
        let empty = await hasher.hash("")
        #expect(await hasher.verify("", hash: empty))
        #expect(await hasher.verify("\u{0}anything at all", hash: empty) == false)
        #expect(throws: ValidationError.self) { try PasswordPolicy.validate("\u{0}twelve chars or more") }
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let agent = try await fixtures.tenant(role: .agent)
            expectRefused(try await admin.post("/v1/users", #"{"email":"nul@acme.test","name":"Nul","role":"agent","password":"\u0000abcdefghijklmn"}"#),
                          .unprocessableContent, code: "invalid_character", field: "password")
            expectRefused(try await admin.patch("/v1/users/\(agent.userID)", #"{"password":"\u0000abcdefghijklmn"}"#),
                          .unprocessableContent, code: "invalid_character", field: "password")
        }
    }

    @Test("a 3,000-character login email and a one-character name of 3,000 combining marks are 422s")
    func oversizedText() async throws {
        // Random letters, so PostgreSQL cannot compress them into an index row.
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let local = String((0..<3000).map { _ in letters.randomElement()! })
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let anonymous = APICaller(client, token: nil)
            for _ in 0..<2 {
                expectRefused(try await anonymous.post("/v1/auth/login", #"{"email":"\#(local)@b.test","password":"wrong password"}"#),
                              .unprocessableContent, code: "invalid_field", field: "email")
            }
            let marks = "a" + String(repeating: "\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}", count: 500)
            #expect(marks.count == 1)
            expectRefused(try await admin.post("/v1/teams", #"{"name":"\#(marks)"}"#),
                          .unprocessableContent, code: "invalid_field", field: "name")
        }
    }

    @Test("as a backstop, PostgreSQL's own refusals of U+0000 and of oversized index rows are 422s")
    func backstop() async throws {
        try await TestApp.run { _, fixtures in
            let client = fixtures.database.client
            let logger = Logger(label: "test")
            let nul = "a\u{0}b"
            let json = #"{"a":"\u0000"}"#
            let statements: [(PostgresQuery, String)] = [
                ("SELECT \(nul)::text", "invalid_character"),
                ("SELECT \(json)::jsonb", "invalid_character"),
                ("""
                 INSERT INTO login_throttle (scope, key, window_start, failures)
                 SELECT 'account', string_agg(md5(i::text), ''), now(), 1 FROM generate_series(1, 100) AS i
                 """, "value_too_long"),
            ]
            for (statement, code) in statements {
                do {
                    try await client.query(statement, logger: logger)
                    Issue.record("\(statement.sql) succeeded")
                } catch {
                    let mapped = ErrorMiddleware<AppRequestContext>.map(error, logger: logger)
                    #expect(mapped.status == .unprocessableContent, "\(statement.sql): \(String(reflecting: error))")
                    #expect(mapped.code == code)
                }
            }
        }
    }
}
