import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A provider account as the API shows it: never its credentials.
struct Adapter: ResponseEncodable, Sendable {
    let id: UUID
    let provider: String
    let name: String
    let config: [String: String]
    let unverifiedOrganizationId: UUID
    let disabled: Bool
    let createdAt: Date
    /// Where the provider must send webhooks (set in its console).
    var webhookUrl: String = ""

    static let columns = "id, provider, name, config::text, unverified_organization_id, disabled_at IS NOT NULL, created_at"

    init(row: PostgresRow) throws {
        let (id, provider, name, config, unverified, disabled, createdAt) =
            try row.decode((UUID, String, String, String, UUID, Bool, Date).self)
        self.id = id
        self.provider = provider
        self.name = name
        self.config = (try? JSONDecoder().decode([String: String].self, from: Data(config.utf8))) ?? [:]
        self.unverifiedOrganizationId = unverified
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// The same adapter with its webhook URL under `publicURL`.
    func with(publicURL: String) -> Adapter {
        var copy = self
        copy.webhookUrl = "\(publicURL)/v1/hooks/\(provider)/\(id.uuidString.lowercased())"
        return copy
    }
}

/// An adapter with its opened credentials, for the webhook path only.
struct AdapterAccount: Sendable {
    let tenantID: UUID
    let adapter: Adapter
    let provider: ChannelProvider
    let secrets: AdapterSecrets

    /// The code that speaks this account's provider.
    var providerAdapter: any ProviderAdapter { provider.adapter }

    /// The credentials and config as the provider's adapter reads them.
    var settings: AccountSettings { AccountSettings(credentials: secrets.credentials, config: adapter.config) }
}

/// Storage of adapters; credentials are sealed before they reach the database.
protocol AdaptersRepository: Sendable {
    /// Creates an adapter; the unverified-contacts organization is made when none is given.
    func create(provider: ChannelProvider, name: String, secrets: AdapterSecrets, config: [String: String],
                unverifiedOrganizationID: UUID?, tenantID: UUID) async throws -> Adapter
    /// Adapters, newest first.
    func list(page: PageRequest, tenantID: UUID) async throws -> [Adapter]
    /// One adapter, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Adapter?
    /// Disables an adapter (its webhooks are then refused); false when unknown.
    func disable(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// The active adapter named in a webhook URL, with opened credentials; nil when unknown.
    func account(for id: UUID, provider: ChannelProvider) async throws -> AdapterAccount?
}
