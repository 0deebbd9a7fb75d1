import ArgumentParser
import FieldlineServer
import Foundation

/// `fieldline demo`: seed the demo tenant once and print how to sign in.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed a demo tenant (once) and print its admin login and API key.")

    @Option(help: "Where to keep the demo credentials so later runs can print them again (mode 600).")
    var credentialsFile = ".data/demo-credentials.json"

    func run() async throws {
        let created = try await CommandEnvironment.provisioning { try await $0.seedDemo() }
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
