import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// One job offered to one subcontractor during a broadcast round (`offers`, `sql/022_offers.sql`).
struct Offer: ResponseEncodable, Sendable {
    let id: UUID
    let jobId: UUID
    let organizationId: UUID
    let organizationName: String
    let round: Int
    /// `sent → delivered → read → accepted | declined | expired | withdrawn`.
    let status: String
    let distanceM: Double?
    /// The members it was sent to, each with the message that carries it.
    let recipients: [OfferRecipient]
    let answeredByMemberId: UUID?
    let answeredAt: Date?
    /// When it expires if nobody answers (while open), or expired.
    let expiresAt: Date?
    /// The wave of its round that sent it (`nearest_first`, `one_by_one`; 1 otherwise).
    let wave: Int
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, from `offers o` joined with `organizations org`.
    static let columns = """
        o.id, o.job_id, o.organization_id, org.name, o.round, o.status, o.distance_m,
        ARRAY(SELECT r.member_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        ARRAY(SELECT r.conversation_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        ARRAY(SELECT r.message_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        o.answered_by_member_id, o.answered_at, o.created_by, o.created_at, o.updated_at, o.expires_at, o.wave
        """

    /// Reads a row of `columns`.
    init(row: PostgresRow) throws {
        let columns = try row.decode(
            (UUID, UUID, UUID, String, Int, String, Double?, [UUID], [UUID], [UUID], UUID?, Date?, String, Date, Date, Date?, Int).self)
        (id, jobId, organizationId, organizationName, round, status, distanceM) =
            (columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, columns.6.map { ($0 * 10).rounded() / 10 })
        recipients = zip(columns.7, zip(columns.8, columns.9)).map {
            OfferRecipient(memberId: $0, conversationId: $1.0, messageId: $1.1)
        }
        (answeredByMemberId, answeredAt, createdBy, createdAt, updatedAt) = (columns.10, columns.11, columns.12, columns.13, columns.14)
        (expiresAt, wave) = (columns.15, columns.16)
    }
}

/// A member an offer went to, and the outbound message (with its Accept / Decline choices) that carries it.
struct OfferRecipient: Encodable, Sendable {
    let memberId: UUID
    let conversationId: UUID
    let messageId: UUID
}

/// The offers of a job, oldest first.
struct OfferList: ResponseEncodable, Sendable {
    let data: [Offer]
}

/// What a broadcast did: the round's offers, and the candidates nobody could be reached at.
struct Broadcast: ResponseEncodable, Sendable {
    let jobId: UUID
    let round: Int
    /// The allocation mode of the round.
    let mode: String
    let status: String
    let offers: [Offer]
    /// Candidates left out because none of their members has a messaging identity.
    let unreachableOrganizationIds: [UUID]
}

/// The body of `POST /v1/jobs/{id}/broadcast`; every field is optional, and the allocation
/// fields default to the tenant's dispatch settings.
struct BroadcastRequest: RequestBody {
    /// Offer the job only to these candidates (each must cover the site).
    let organizationIds: [UUID]?
    let mode: AllocationMode?
    let timeoutSeconds: Int?
    let waveSize: Int?
    let waveIntervalSeconds: Int?
    let widenFactor: Double?
    let maxWaves: Int?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case organizationIds = "organization_ids"
        case mode
        case timeoutSeconds = "timeout_seconds"
        case waveSize = "wave_size"
        case waveIntervalSeconds = "wave_interval_seconds"
        case widenFactor = "widen_factor"
        case maxWaves = "max_waves"
    }

    /// `defaults` with this request's overrides, checked.
    func settings(over defaults: AllocationSettings) throws -> AllocationSettings {
        var settings = defaults
        if let mode { settings.mode = mode }
        if let timeoutSeconds { settings.offerTimeoutSeconds = timeoutSeconds }
        if let waveSize { settings.waveSize = waveSize }
        if let waveIntervalSeconds { settings.waveIntervalSeconds = waveIntervalSeconds }
        if let widenFactor { settings.widenFactor = widenFactor }
        if let maxWaves { settings.maxWaves = maxWaves }
        try settings.check()
        return settings
    }
}
