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

    /// ArgumentParser's `main`, except that a database error is printed as the operator can act
    /// on it (the server's message, SQLSTATE, detail and hint): PSQLError prints only a fixed
    /// text. The exit status stays non-zero.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error.databaseOperatorDescription.map(CommandFailure.init) ?? error)
        }
    }
}
