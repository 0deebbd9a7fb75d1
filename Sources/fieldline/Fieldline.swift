import ArgumentParser
import FieldlineServer

/// The `fieldline` command: serve the API, migrate the database and administer tenants.
@main
struct Fieldline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fieldline: field messaging for the extended supply chain.",
        discussion: "Configuration comes from environment variables (DATABASE_URL, JWT_SECRET, MASTER_KEY, ...); see the README.",
        subcommands: [Serve.self, Migrate.self, Demo.self, TenantCommand.self, UserCommand.self, APIKeyCommand.self, MediaToS3Command.self]
    )
}
