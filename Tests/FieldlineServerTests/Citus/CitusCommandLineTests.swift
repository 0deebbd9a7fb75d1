import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// The `fieldline` command line against the coordinator: a command that writes through the
/// repositories asks whether the database is Citus, as the server does, before it writes
/// (docs/scaling.md). The demo it seeds is then used through the application, with the
/// scenarios `DemoTenantTests` and `DemoRoutingTests` run on a single PostgreSQL.
extension CitusTests {
    @Test("fieldline demo seeds the cluster: its agent and admin sign in and find a crew's message in their queue, its job has candidates, its proof's photo is served; --reset seeds it again")
    func demoFromTheCommandLine() async throws {
        let binary = try FieldlineBinary()
        let directory = MediaSamples.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = try #require(ProcessInfo.processInfo.environment["FIELDLINE_CITUS_DATABASE_URL"])
        let credentials = directory + "/demo-credentials.json"
        // The server's settings, which name the media store the demo's photo goes to.
        let environment = [
            "DATABASE_URL": url, "SQL_DIR": TestDatabase.sqlDirectory, "BCRYPT_COST": "4", "MEDIA_DIR": directory,
            "JWT_SECRET": TestApp.jwtSecret, "MASTER_KEY": String(repeating: "07", count: 32),
        ]
        // --reset: the cluster may hold a demo from an earlier run (FIELDLINE_CITUS_KEEP).
        let seeded = try await binary.run(["demo", "--reset", "--credentials-file", credentials], environment: environment)
        #expect(seeded.status == 0, "\(seeded.out)\n\(seeded.err)")
        #expect(seeded.out.contains("Demo tenant 'demo' seeded"), "\(seeded.out)")
        let demo = try JSONDecoder().decode(DemoCredentials.self, from: Data(contentsOf: URL(fileURLWithPath: credentials)))

        try await Self.run(configure: { $0.mediaDir = directory }) { client, _ in
            try await DemoTenantTests.agentAndJob(client, demo)
            try await DemoTenantTests.photoProof(client, demo)
            try await DemoRoutingTests.routesToDana(client, demo)
        }
        let again = try await binary.run(["demo", "--reset", "--credentials-file", credentials], environment: environment)
        #expect(again.status == 0, "\(again.out)\n\(again.err)")
        #expect(again.out.hasPrefix("Demo tenant deleted."), "\(again.out)")
        let second = try JSONDecoder().decode(DemoCredentials.self, from: Data(contentsOf: URL(fileURLWithPath: credentials)))
        #expect(second.adminPassword != demo.adminPassword)
        try await Self.run { client, _ in
            #expect(try await APICaller(client, token: demo.apiKey).get("/v1/jobs").status == .unauthorized)
            let jobs = try await APICaller(client, token: second.apiKey).get("/v1/jobs").json["data"].array
            #expect(Set(jobs.compactMap { $0["order_number"].string }) == ["PO-1000", "PO-1001"], "\(jobs)")
        }
    }

    @Test("fieldline tenant, user and api-key create and tenant development-mode write to the cluster; the user signs in and the key reads")
    func adminCommands() async throws {
        let binary = try FieldlineBinary()
        let url = try #require(ProcessInfo.processInfo.environment["FIELDLINE_CITUS_DATABASE_URL"])
        let environment = [
            "DATABASE_URL": url, "SQL_DIR": TestDatabase.sqlDirectory, "BCRYPT_COST": "4", "FIELDLINE_PASSWORD": TenantFixture.password,
        ]
        let slug = "cli-" + UUID().uuidString.prefix(8).lowercased()
        let email = "\(slug)@citus.test"
        let tenant = try await binary.run(["tenant", "create", "--name", "CLI on Citus", "--slug", slug], environment: environment)
        #expect(tenant.status == 0, "\(tenant.err)")
        let user = try await binary.run(["user", "create", "--tenant", slug, "--email", email, "--name", "Ana", "--role", "admin"], environment: environment)
        #expect(user.status == 0, "\(user.err)")
        let key = try await binary.run(["api-key", "create", "--tenant", slug, "--name", "ERP", "--scope", "users:read"], environment: environment)
        #expect(key.status == 0, "\(key.err)")
        let secret = try #require(key.out.split(separator: "\n").last.map(String.init))
        let development = try await binary.run(["tenant", "development-mode", "--tenant", slug, "--enable"], environment: environment)
        #expect(development.out == "tenant \(slug): development mode on\n", "\(development.err)")

        try await Self.run { client, _ in
            let login = try await APICaller(client, token: nil).post(
                "/v1/auth/login", #"{"email":"\#(email)","password":"\#(TenantFixture.password)"}"#)
            #expect(login.status == .ok, "\(login.text)")
            let users = try await APICaller(client, token: secret).get("/v1/users").json["data"].array
            #expect(users.compactMap { $0["email"].string } == [email])
        }
    }
}
