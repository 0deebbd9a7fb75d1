import ArgumentParser
import FieldlineDomain
import FieldlineServer
import Foundation

/// `fieldline tenant create`, `fieldline tenant development-mode`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self, DevelopmentMode.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant and print its id.")
        @Option(help: "Display name, e.g. \"Acme Logistics\".") var name: String
        @Option(help: "Short unique handle (lowercase letters, digits, dashes).") var slug: String

        func run() async throws {
            let (name, slug) = (self.name, self.slug)
            let tenant = try await CommandEnvironment.provisioning { try await $0.createTenant(name: name, slug: slug) }
            print("tenant \(tenant.slug) created: \(tenant.id.uuidString.lowercased())")
        }
    }
}

extension TenantCommand {
    /// `fieldline tenant development-mode --tenant acme [--enable | --disable]`.
    struct DevelopmentMode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "development-mode",
            abstract: "Show, enable or disable a tenant's development mode.",
            discussion: """
                In development mode the tenant's webhooks may reach private and loopback addresses (127.0.0.1, \
                10.0.0.0/8, ...), for a receiver on a developer's machine. Leave it off in production: it lets \
                the tenant's admins make the server call into its own network.
                """)
        @Option(help: "Tenant slug.") var tenant: String
        @Flag(help: "Turn it on.") var enable = false
        @Flag(help: "Turn it off.") var disable = false

        func validate() throws {
            if enable && disable { throw ArgumentParser.ValidationError("give --enable or --disable, not both") }
        }

        func run() async throws {
            let (slug, change) = (tenant, enable ? true : disable ? false : nil)
            let enabled = try await CommandEnvironment.provisioning { provisioning in
                let tenant = try await CommandEnvironment.tenant(slug, provisioning)
                if let change { try await provisioning.setDevelopmentMode(tenantID: tenant.id, change) }
                return try await provisioning.developmentMode(tenantID: tenant.id)
            }
            print("tenant \(slug.lowercased()): development mode \(enabled ? "on" : "off")")
        }
    }
}

/// `fieldline user create`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user who signs in with email and password.",
            discussion: "The password is read from FIELDLINE_PASSWORD, or asked for when it is not set.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Login email.") var email: String
        @Option(help: "Full name.") var name: String
        @Option(help: "admin, supervisor or agent.") var role: String = "agent"

        func run() async throws {
            let role = try UserRole.parse(role, field: "role")
            let password = try CommandEnvironment.password()
            let (slug, email, name) = (tenant, self.email, self.name)
            let id = try await CommandEnvironment.provisioning { provisioning in
                let tenant = try await CommandEnvironment.tenant(slug, provisioning)
                return try await provisioning.createUser(tenantID: tenant.id, email: email, name: name, role: role, password: password)
            }
            print("user \(email.lowercased()) (\(role.rawValue)) created: \(id.uuidString.lowercased())")
        }
    }
}

/// `fieldline api-key create`.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-key", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it once.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "What the key is for, e.g. \"SAP proof export\".") var name: String
        @Option(name: .customLong("scope"), help: "A scope (repeat): \(APIKeyScope.all.map(\.rawValue).joined(separator: ", ")).")
        var scopes: [String] = []

        func run() async throws {
            let (slug, name, scopes) = (tenant, self.name, self.scopes)
            let key = try await CommandEnvironment.provisioning { provisioning in
                let tenant = try await CommandEnvironment.tenant(slug, provisioning)
                return try await provisioning.createAPIKey(tenantID: tenant.id, name: name, scopes: scopes)
            }
            print("API key \(key.id.uuidString.lowercased()) created; it is shown only now:")
            print(key.secret)
        }
    }
}

extension CommandEnvironment {
    /// Runs `body` with the provisioning of the database at `DATABASE_URL`, writing with the
    /// statements its kind needs: like the server, the command first asks whether it is a Citus
    /// coordinator (docs/scaling.md), or the demo's jobs and proofs would be written with the
    /// single-node statements, which Citus refuses.
    static func provisioning<T: Sendable>(_ body: @Sendable (Provisioning) async throws -> T) async throws -> T {
        let settings = try database()
        let hasher = passwordHasher
        try await settings.checkReachable(logger: logger)
        await CitusWrites.detect(settings, logger: logger)
        do {
            return try await withPostgres(settings, logger: logger) { database in
                try await body(Provisioning(database: database, hasher: hasher))
            }
        } catch let error as FieldlineDomain.ValidationError {
            throw CommandFailure("invalid \(error.field ?? "value"): \(error.message)")
        }
    }

    static func tenant(_ slug: String, _ provisioning: Provisioning) async throws -> Tenant {
        guard let tenant = try await provisioning.tenant(slug: slug) else {
            throw CommandFailure("no tenant with slug '\(slug)' (create it with: fieldline tenant create)")
        }
        return tenant
    }

    static func password() throws -> String {
        if let password = environment["FIELDLINE_PASSWORD"], !password.isEmpty { return password }
        guard let raw = getpass("Password (12+ characters): ") else {
            throw CommandFailure("no password given (set FIELDLINE_PASSWORD)")
        }
        return String(cString: raw)
    }
}

/// A command failed for a reason the operator can fix; printed as one line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `fieldline media-to-s3`.
struct MediaToS3Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-to-s3",
        abstract: "Move the media files under MEDIA_DIR into the S3-compatible store.",
        discussion: """
            Reads the same environment as the server, with MEDIA_STORE=s3 and the S3_* variables. Each file is \
            checked against its SHA-256, uploaded unless the bucket has it, then removed locally. Safe to run again.
            """)
    @Flag(help: "Keep the local copies.") var keepLocal = false

    func run() async throws {
        let config = try AppConfig.fromEnvironment()
        guard let settings = config.mediaS3 else { throw ArgumentParser.ValidationError("set MEDIA_STORE=s3 and the S3_* variables first") }
        let summary = try await MediaMigration.moveLocalToS3(directory: config.mediaDir, settings: settings, keepLocal: keepLocal) { print($0) }
        print("media-to-s3: \(summary.uploaded) uploaded, \(summary.alreadyThere) already in the bucket, \(summary.corrupt.count) corrupt (left in place)")
        if !summary.corrupt.isEmpty { throw ExitCode.failure }
    }
}
