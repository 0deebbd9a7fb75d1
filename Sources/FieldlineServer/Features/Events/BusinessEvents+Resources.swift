import FieldlineDomain
import Foundation
import PostgresNIO

/// Events about a resource read back inside the writer's transaction, for writers that changed
/// it with SQL and hold no API value of it (dispatch's broadcast and answers).
extension BusinessEvents {
    /// Appends `type` about job `jobID` as it is now in `transaction`.
    static func recordJob(_ type: BusinessEventType, _ jobID: UUID, in transaction: TenantTransaction) async throws {
        let job = try await transaction.query("""
            SELECT \(columns: Job.columns, tenant: transaction.tenantID) FROM jobs j WHERE j.tenant_id = \(transaction.tenantID) AND j.id = \(jobID)
            """
        ).first(Job.init(row:))
        guard let job else { throw MissingRowError(what: "job of a \(type.rawValue) event") }
        try await record(type, body: job, resource: jobID, in: transaction)
    }

    /// Appends `type` about offer `offerID` as it is now in `transaction`.
    static func recordOffer(_ type: BusinessEventType, _ offerID: UUID, in transaction: TenantTransaction) async throws {
        let offer = try await transaction.query("""
            SELECT \(columns: Offer.columns, tenant: transaction.tenantID) FROM offers o
            JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
            WHERE o.tenant_id = \(transaction.tenantID) AND o.id = \(offerID)
            """
        ).first(Offer.init(row:))
        guard let offer else { throw MissingRowError(what: "offer of a \(type.rawValue) event") }
        try await record(type, body: offer, resource: offerID, in: transaction)
    }

    /// Appends one event of `type` for each of the offers `offerIDs` as they are now in
    /// `transaction`, in one statement (an expiry may close thousands at once).
    static func recordOffers(_ type: BusinessEventType, _ offerIDs: [UUID], in transaction: TenantTransaction) async throws {
        guard !offerIDs.isEmpty else { return }
        let source = """
            offers o JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
            WHERE o.tenant_id = $1::uuid AND o.id = ANY($2::uuid[])
            """
        // On Citus the recipients' subquery names the tenant too, or the statement asks every shard.
        let body = ResourceJSON.offer("o", organization: "org", tenant: CitusWrites.enabled ? "$1::uuid" : nil)
        let select = BusinessEventsSQL.select(type, id: "uuid_v7()", resource: "o.id", body: body, order: "o.id", from: source)
        var binds = PostgresBindings()
        binds.append(transaction.tenantID)
        binds.append(offerIDs)
        let sql = BusinessEventsSQL.insert(tenant: "$1::uuid", parts: [select]) + CitusWrites.returning("id")
        let eventIDs = try await transaction.query(PostgresQuery(unsafeSQL: sql, binds: binds)).collect()
        if CitusWrites.enabled {
            try await CitusWrites.fanOut(
                try eventIDs.map { try $0.decode(UUID.self) }, tenantID: transaction.tenantID, connection: transaction.connection,
                logger: transaction.logger)
        }
    }
}
