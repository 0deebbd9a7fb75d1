import FieldlineDomain
import Foundation
import PostgresNIO

/// A job as offers read it, locked `FOR UPDATE` until commit: broadcasting and accepting take
/// this lock first, so they happen one at a time per job (docs/dispatch.md, exactly once).
struct OfferedJob: Sendable {
    let id: UUID
    let orderNumber: String
    let title: String
    let address: String?
    let latitude: Double?
    let longitude: Double?
    let requiredTags: [String]
    let windowStart: Date?
    let windowEnd: Date?
    let status: JobStatus
    /// The job's own conversation, when it has one.
    let conversationID: UUID?

    /// Locks the job when `viewer` may see it; nil otherwise.
    static func lock(_ jobID: UUID, viewer: Viewer, _ transaction: TenantTransaction) async throws -> OfferedJob? {
        // On Citus the visibility's subqueries make this no single-shard plan: the row is locked alone first.
        let locked = try await CitusWrites.lockAlone(
            "jobs", id: jobID, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
        return try await transaction.query("""
            SELECT \(unescaped: columns) FROM jobs j
            WHERE j.tenant_id = \(transaction.tenantID) AND j.id = \(jobID) AND \(visibleJobs: viewer)
            \(unescaped: locked ? "" : "FOR UPDATE OF j")
            """
        ).first(OfferedJob.init(row:))
    }

    /// Locks the job, for a member's answer (who may answer is the offer's business).
    static func lock(_ jobID: UUID, _ transaction: TenantTransaction) async throws -> OfferedJob? {
        try await transaction.query(
            "SELECT \(unescaped: columns) FROM jobs j WHERE j.tenant_id = \(transaction.tenantID) AND j.id = \(jobID) FOR UPDATE OF j"
        ).first(OfferedJob.init(row:))
    }

    private static let columns = """
        j.id, j.order_number, j.title, j.address, j.latitude, j.longitude, j.required_tags, j.window_start, j.window_end, j.status,
        j.conversation_id
        """

    private init(row: PostgresRow) throws {
        let c = try row.decode((UUID, String, String, String?, Double?, Double?, [String], Date?, Date?, String, UUID?).self)
        (id, orderNumber, title, address, latitude, longitude, requiredTags, windowStart, windowEnd) =
            (c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8)
        guard let status = JobStatus(rawValue: c.9) else { throw MissingRowError(what: "job status \(c.9)") }
        self.status = status
        conversationID = c.10
    }

    /// Its time window as offers show it, when it has one.
    var windowText: String? {
        switch (windowStart, windowEnd) {
        case let (start?, end?): "\(RFC3339.format(start)) – \(RFC3339.format(end))"
        case let (start?, nil): "From \(RFC3339.format(start))"
        case let (nil, end?): "By \(RFC3339.format(end))"
        case (nil, nil): nil
        }
    }

    /// The text of its offer message.
    var offerText: String {
        OfferText.offer(orderNumber: orderNumber, title: title, address: address, window: windowText)
    }

    /// The payload of its offer `offerID`'s message: the Accept / Decline choices, and the fields
    /// an offer template carries outside the service window.
    func offerPayload(_ offerID: UUID) -> ReplyPayload {
        var payload = ReplyPayload(ReplyContent(text: offerText, choices: OfferChoice.choices(offerID, orderNumber: orderNumber)))
        payload.offer = .init(
            offerID: offerID, orderNumber: orderNumber, title: title, address: address.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
            window: windowText ?? "-")
        return payload
    }
}
