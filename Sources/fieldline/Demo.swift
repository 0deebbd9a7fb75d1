import ArgumentParser
import FieldlineServer
import Foundation

/// `fieldline demo`: seed the demo tenant once and print how to sign in; `--reset` starts over.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed a demo tenant (once) and print its admin and agent logins and API key.",
        discussion: "With --reset, the demo tenant and everything in it is deleted first and seeded again with new credentials.")

    @Option(help: "Where to keep the demo credentials so later runs can print them again (mode 600).")
    var credentialsFile = ".data/demo-credentials.json"

    @Flag(help: "Delete the demo tenant and everything in it, then seed it again.")
    var reset = false

    func run() async throws {
        let reset = self.reset
        let created = try await CommandEnvironment.provisioning { provisioning in
            if reset, try await provisioning.deleteDemo() { print("Demo tenant deleted.") }
            return try await provisioning.seedDemo()
        }
        let url = URL(fileURLWithPath: credentialsFile)
        let credentials: DemoCredentials
        if let created {
            credentials = created
        } else if let data = try? Data(contentsOf: url), let stored = try? JSONDecoder().decode(DemoCredentials.self, from: data) {
            credentials = stored
        } else {
            print("The demo tenant already exists; its credentials were printed when it was created (\(credentialsFile) is missing).")
            return
        }
        print("""
            Demo tenant '\(credentials.tenantSlug)'\(created == nil ? "" : " seeded"):
              admin login:  \(credentials.adminEmail) / \(credentials.adminPassword)
              agent login:  \(credentials.agentEmail.map { "\($0) / \(credentials.agentPassword ?? "")" } ?? "(not saved; fieldline demo --reset makes new ones)")
              API key:      \(credentials.apiKey)
            """)
        if let created {
            // Printed first, so a read-only disk cannot lose credentials that exist nowhere else.
            do {
                try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try JSONEncoder().encode(created).write(to: url)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            } catch {
                print("(could not save them to \(credentialsFile): \(error.localizedDescription))")
            }
        }
    }
}
