import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// How a channel reaches members: down the hierarchy, or across peers in one shared thread.
enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case hierarchical
    case horizontal
}

/// A line of communication over the organization graph (see docs/channels.md).
struct Channel: ResponseEncodable, Sendable {
    let id: UUID
    let kind: ChannelKind
    let name: String
    /// What a member writes as `#handle` at the start of a message to speak in the channel; unique in the tenant.
    let handle: String?
    /// Hierarchical: the organization speaking to its descendants.
    let organizationId: UUID?
    /// Hierarchical: only descendants of one of these kinds (empty = all kinds).
    let kinds: [String]
    /// Hierarchical: only descendants with one of these tags (empty = no tag filter).
    let tags: [String]
    /// Horizontal: the peer organizations sharing the thread.
    let organizationIds: [UUID]
    let createdBy: UUID?
    let createdAt: Date

    /// The columns, with `$tenant(…)` placeholders: a statement interpolates them as `\(columns: …, tenant: tenantID)`.
    static let columns = TenantColumns("""
        ch.id, ch.kind, ch.name, ch.organization_id, ch.kinds, ch.tags,
        coalesce((SELECT array_agg(p.organization_id ORDER BY p.organization_id) FROM channel_participants p
                  WHERE p.tenant_id = ch.tenant_id$tenant(p) AND p.channel_id = ch.id), '{}'),
        ch.created_by, ch.created_at, ch.handle
        """)

    init(row: PostgresRow) throws {
        let (id, kind, name, organizationID, kinds, tags, organizationIDs, createdBy, createdAt, handle) =
            try row.decode((UUID, String, String, UUID?, [String], [String], [UUID], UUID?, Date, String?).self)
        self.id = id
        self.kind = ChannelKind(rawValue: kind) ?? .hierarchical
        self.name = name
        self.handle = handle
        self.organizationId = organizationID
        self.kinds = kinds
        self.tags = tags
        self.organizationIds = organizationIDs
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// One message said in a channel, and how many members it was delivered to.
struct ChannelPost: ResponseEncodable, Sendable {
    let id: UUID
    let channelId: UUID
    let text: String
    let authorUserId: UUID?
    let authorMemberId: UUID?
    /// "Name (Organization)" as prefixed to horizontal relays.
    let senderLabel: String?
    /// Outbound messages queued for this post (one per recipient member).
    let recipientCount: Int
    let createdAt: Date

    static let columns = "p.id, p.channel_id, p.body, p.author_user_id, p.author_member_id, p.sender_label, p.recipient_count, p.created_at"

    init(row: PostgresRow) throws {
        (id, channelId, text, authorUserId, authorMemberId, senderLabel, recipientCount, createdAt) =
            try row.decode((UUID, UUID, String, UUID?, UUID?, String?, Int, Date).self)
    }

    enum CodingKeys: String, CodingKey {
        case id, channelId, text, authorUserId, authorMemberId, senderLabel, recipientCount, createdAt
    }

    /// Every field is present, the authors and label as `null` when there is none: the OpenAPI
    /// document lists them as required and nullable, and integrators' generated clients expect them.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(channelId, forKey: .channelId)
        try container.encode(text, forKey: .text)
        try container.encode(authorUserId, forKey: .authorUserId)
        try container.encode(authorMemberId, forKey: .authorMemberId)
        try container.encode(senderLabel, forKey: .senderLabel)
        try container.encode(recipientCount, forKey: .recipientCount)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// A validated new channel.
enum NewChannel: Sendable {
    case hierarchical(name: String, organizationID: UUID, kinds: [OrganizationKind], tags: [String])
    case horizontal(name: String, organizationIDs: [UUID])
}

/// Storage of channels and their posts within a tenant.
protocol ChannelsRepository: Sendable {
    /// Creates a channel; throws a validation error for unknown or unrelated organizations, a
    /// conflict for a handle already taken.
    func create(_ channel: NewChannel, handle: String?, viewer: Viewer) async throws -> Channel
    /// Renames a channel and/or sets or clears its handle; nil when unknown.
    func update(_ id: UUID, name: String?, handle: FieldUpdate<String>, tenantID: UUID) async throws -> Channel?
    /// One channel, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Channel?
    /// Channels, newest first.
    func list(kind: ChannelKind?, page: PageRequest, tenantID: UUID) async throws -> [Channel]
    /// Deletes a channel and its posts (the delivered messages stay); false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// Posts to a channel and queues one outbound message per recipient, in one transaction;
    /// `memberID` posts as a participant member of a horizontal channel. Nil when the channel is unknown.
    func post(to id: UUID, text: String, memberID: UUID?, viewer: Viewer) async throws -> ChannelPost?
    /// A channel's posts, newest first; nil when the channel is unknown.
    func posts(of id: UUID, page: PageRequest, tenantID: UUID) async throws -> [ChannelPost]?
}
