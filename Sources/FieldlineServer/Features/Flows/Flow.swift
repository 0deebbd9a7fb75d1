import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A flow as the API shows it: its name, triggers, and the definition of the version shown (the
/// current one, or the one asked for).
struct Flow: ResponseEncodable, Sendable {
    let id: UUID
    let name: String
    let enabled: Bool
    let triggers: JSONValue
    /// The version new runs start with.
    let currentVersion: Int
    /// The version whose definition is shown.
    let version: Int
    let definition: JSONValue
    let versionCreatedAt: Date
    let versionCreatedBy: String
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, from `flows f` joined to `flow_versions v`.
    static let columns = """
        f.id, f.name, f.enabled, f.triggers::text, f.current_version, v.version, v.definition::text, v.created_at, v.created_by,
        f.created_at, f.updated_at
        """

    init(row: PostgresRow) throws {
        let (id, name, enabled, triggers, current, version, definition, versionCreatedAt, versionCreatedBy, createdAt, updatedAt) =
            try row.decode((UUID, String, Bool, String, Int, Int, String, Date, String, Date, Date).self)
        self.id = id
        self.name = name
        self.enabled = enabled
        self.triggers = JSONValue(parsing: Array(triggers.utf8)) ?? .array([])
        self.currentVersion = current
        self.version = version
        self.definition = JSONValue(parsing: Array(definition.utf8)) ?? .object([:])
        self.versionCreatedAt = versionCreatedAt
        self.versionCreatedBy = versionCreatedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A flow to save: validated, so it cannot break at run time.
struct FlowDraft: Sendable {
    let name: String?
    let enabled: Bool?
    let triggers: [FlowTrigger]?
    let definition: FlowDefinition

    /// JSON text of the definition and triggers, as stored.
    var definitionJSON: String { Self.json(definition) }
    var triggersJSON: String? { triggers.map(Self.json) }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// Storage of flows and their versions.
protocol FlowsRepository: Sendable {
    /// Creates a flow with its version 1; 409 when the name is taken.
    func create(_ draft: FlowDraft, createdBy: String, tenantID: UUID) async throws -> Flow
    /// Flows, newest first, each with its current version.
    func list(page: PageRequest, tenantID: UUID) async throws -> [Flow]
    /// A flow with `version` (the current one when nil); nil when either is unknown.
    func get(_ id: UUID, version: Int?, tenantID: UUID) async throws -> Flow?
    /// Publishes a new version (and, when given, new name, enabled flag and triggers); nil when unknown.
    func publish(_ id: UUID, _ draft: FlowDraft, createdBy: String, tenantID: UUID) async throws -> Flow?
}
