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
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, from `offers o` joined with `organizations org`.
    static let columns = """
        o.id, o.job_id, o.organization_id, org.name, o.round, o.status, o.distance_m,
        ARRAY(SELECT r.member_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        ARRAY(SELECT r.conversation_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        ARRAY(SELECT r.message_id FROM offer_recipients r WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id ORDER BY r.member_id),
        o.answered_by_member_id, o.answered_at, o.created_by, o.created_at, o.updated_at
        """

    /// Reads a row of `columns`.
    init(row: PostgresRow) throws {
        let columns = try row.decode(
            (UUID, UUID, UUID, String, Int, String, Double?, [UUID], [UUID], [UUID], UUID?, Date?, String, Date, Date).self)
        (id, jobId, organizationId, organizationName, round, status, distanceM) =
            (columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, columns.6.map { ($0 * 10).rounded() / 10 })
        recipients = zip(columns.7, zip(columns.8, columns.9)).map {
            OfferRecipient(memberId: $0, conversationId: $1.0, messageId: $1.1)
        }
        (answeredByMemberId, answeredAt, createdBy, createdAt, updatedAt) = (columns.10, columns.11, columns.12, columns.13, columns.14)
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
    let status: String
    let offers: [Offer]
    /// Candidates left out because none of their members has a messaging identity.
    let unreachableOrganizationIds: [UUID]
}

/// The body of `POST /v1/jobs/{id}/broadcast`; every field is optional.
struct BroadcastRequest: RequestBody {
    /// Offer the job only to these candidates (each must cover the site).
    let organizationIds: [UUID]?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case organizationIds = "organization_ids"
    }
}
