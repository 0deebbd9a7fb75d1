import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Emails are unique per tenant (issue 15: a global index let one tenant's admin learn, from
/// `409 email_taken`, whether an address had an account in another tenant).
@Suite("Emails per tenant")
struct PerTenantEmailTests {
    static func login(_ client: any TestClientProtocol, _ email: String, _ password: String, tenant: String? = nil) async throws -> TestResponse {
        let tenantJSON = tenant.map { #","tenant":"\#($0)""# } ?? ""
        return try await APICaller(client, token: nil).post(
            "/v1/auth/login", #"{"email":"\#(email)","password":"\#(password)"\#(tenantJSON)}"#)
    }

    static func user(_ admin: APICaller, _ email: String, password: String) async throws -> String {
        let created = try await admin.post("/v1/users", #"{"email":"\#(email)","name":"Pat","role":"agent","password":"\#(password)"}"#)
        #expect(created.status == .created)
        return try #require(created.json["id"].string)
    }

    @Test("another tenant's admin creates a user with a taken email as if it were new; each password opens its own tenant")
    func noOracle() async throws {
        try await TestApp.run { client, fixtures in
            let acme = try await fixtures.tenant("acme")
            let globex = try await fixtures.tenant("globex")
            let acmeAdmin = APICaller(client, acme)
            let globexAdmin = APICaller(client, globex)
            let email = "pat@shared.test"
            let inAcme = try await Self.user(acmeAdmin, email, password: "acme password 123")
            // Nothing tells Globex's admin that the address is used elsewhere.
            let inGlobex = try await Self.user(globexAdmin, "PAT@shared.test", password: "globex password 123")
            #expect(try await acmeAdmin.post("/v1/users", #"{"email":"\#(email)","name":"Pat","role":"agent","password":"another password"}"#).json["error"]["code"].string == "email_taken")
            #expect(try await globexAdmin.get("/v1/users?q=shared").json["data"].array.map { $0["id"].string } == [inGlobex])

            let toAcme = try await Self.login(client, email, "acme password 123")
            #expect(toAcme.status == .ok)
            #expect(toAcme.json["user"]["id"].string == inAcme)
            #expect(toAcme.json["user"]["tenant_id"].string == acme.tenant.id.uuidString.lowercased())
            let toGlobex = try await Self.login(client, email, "globex password 123")
            #expect(toGlobex.json["user"]["id"].string == inGlobex)
            #expect(try await Self.login(client, email, "neither password").status == .unauthorized)
            // A slug that does not hold the account is the same 401.
            #expect(try await Self.login(client, email, "acme password 123", tenant: "globex").status == .unauthorized)
            #expect(try await Self.login(client, email, "acme password 123", tenant: "acme").json["user"]["id"].string == inAcme)
        }
    }

    @Test("one email and one password in two tenants: the login asks for the tenant, and only then")
    func samePassword() async throws {
        try await TestApp.run { client, fixtures in
            let acmeAdmin = APICaller(client, try await fixtures.tenant("acme"))
            let globexAdmin = APICaller(client, try await fixtures.tenant("globex"))
            let email = "sam@shared.test"
            let password = "the same password"
            let inAcme = try await Self.user(acmeAdmin, email, password: password)
            let inGlobex = try await Self.user(globexAdmin, email, password: password)
            let ambiguous = try await Self.login(client, email, password)
            #expect(ambiguous.status == .conflict)
            #expect(ambiguous.json["error"]["code"].string == "tenant_required")
            #expect(ambiguous.json["error"]["field"].string == "tenant")
            #expect(try await Self.login(client, email, password, tenant: "GLOBEX").json["user"]["id"].string == inGlobex)
            #expect(try await Self.login(client, email, password, tenant: "acme").json["user"]["id"].string == inAcme)
            // A disabled account does not count: the other one opens without a slug.
            #expect(try await acmeAdmin.patch("/v1/users/\(inAcme)", #"{"disabled":true}"#).status == .ok)
            #expect(try await Self.login(client, email, password).json["user"]["id"].string == inGlobex)
        }
    }
}
