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
    /// True while its messages are still to be written: a large round sends its nearest
    /// offers at once and the rest right after (docs/dispatch.md, "Large rounds: the fan-out").
    let deliveryPending: Bool
    let answeredByMemberId: UUID?
    let answeredAt: Date?
    /// When it expires if nobody answers (while open), or expired.
    let expiresAt: Date?
    /// The wave of its round that sent it (`nearest_first`, `one_by_one`; 1 otherwise).
    let wave: Int
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, from `offers o` joined with `organizations org`; the
    /// recipients' subqueries name the tenant on Citus (`$tenant(r)`, docs/scaling.md).
    static let columns = TenantColumns("""
        o.id, o.job_id, o.organization_id, org.name, o.round, o.status, o.distance_m,
        CASE WHEN o.delivery_pending THEN '{}' ELSE ARRAY(
            SELECT r.member_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id$tenant(r) AND r.offer_id = o.id ORDER BY r.member_id) END,
        CASE WHEN o.delivery_pending THEN '{}' ELSE ARRAY(
            SELECT r.conversation_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id$tenant(r) AND r.offer_id = o.id ORDER BY r.member_id) END,
        CASE WHEN o.delivery_pending THEN '{}' ELSE ARRAY(
            SELECT r.message_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id$tenant(r) AND r.offer_id = o.id ORDER BY r.member_id) END,
        CASE WHEN o.delivery_pending THEN '{}' ELSE ARRAY(
            SELECT coalesce(m.delivery_status, 'queued') || ' ' || coalesce(m.delivery_error, '') FROM offer_recipients r
            JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
            WHERE r.tenant_id = o.tenant_id$tenant(r) AND r.offer_id = o.id ORDER BY r.member_id) END,
        o.answered_by_member_id, o.answered_at, o.created_by, o.created_at, o.updated_at, o.expires_at, o.wave, o.delivery_pending
        """)
}

extension Offer {
    /// Reads a row of `Offer.columns`.
    init(row: PostgresRow) throws {
        let columns = try row.decode(
            (UUID, UUID, UUID, String, Int, String, Double?, [UUID], [UUID], [UUID], [String], UUID?, Date?, String, Date, Date, Date?, Int, Bool).self)
        (id, jobId, organizationId, organizationName, round, status, distanceM) =
            (columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, columns.6.map { ($0 * 10).rounded() / 10 })
        recipients = zip(zip(columns.7, columns.8), zip(columns.9, columns.10)).map { ids, message in
            // "<delivery_status> <delivery_error>": the status has no space, the error may.
            let delivery = message.1.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            return OfferRecipient(
                memberId: ids.0, conversationId: ids.1, messageId: message.0, deliveryStatus: String(delivery[0]),
                deliveryError: delivery.count > 1 && !delivery[1].isEmpty ? String(delivery[1]) : nil)
        }
        (answeredByMemberId, answeredAt, createdBy, createdAt, updatedAt) = (columns.11, columns.12, columns.13, columns.14, columns.15)
        (expiresAt, wave, deliveryPending) = (columns.16, columns.17, columns.18)
    }
}

/// A member an offer went to, and the outbound message (with its Accept / Decline choices) that carries it.
struct OfferRecipient: Encodable, Sendable {
    let memberId: UUID
    let conversationId: UUID
    let messageId: UUID
    /// The message's delivery status (`queued`, `sent`, `delivered`, `read`, `held`, `failed`).
    let deliveryStatus: String
    /// Why it was not sent, when it failed or is held (e.g. outside WhatsApp's 24-hour window
    /// without an offer template).
    let deliveryError: String?
}

/// The offers of a job, oldest first.
struct OfferList: Encodable, Sendable {
    let data: [Offer]
}

/// What a broadcast did: the round's offers, and the candidates nobody could be reached at.
struct Broadcast: Encodable, Sendable {
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
