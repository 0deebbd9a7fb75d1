import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A service request with the tenant's order number: where, what skills, when, who has it, and
/// the conversation it came from or is handled in.
struct Job: ResponseEncodable, Sendable {
    let id: UUID
    let orderNumber: String
    let title: String
    let description: String?
    let latitude: Double?
    let longitude: Double?
    let address: String?
    let requiredTags: [String]
    let windowStart: Date?
    let windowEnd: Date?
    let status: JobStatus
    /// The subcontractor doing the job.
    let organizationId: UUID?
    let crewId: UUID?
    /// The crew's code now (proofs keep the code they were recorded with).
    let crewCode: String?
    let conversationId: UUID?
    /// Who created it: `user:<id>` or `api_key:<id>`.
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date
    let statusChangedAt: Date

    /// The columns of a job row aliased `j`, with a `$tenant(…)` placeholder: a statement
    /// interpolates them as `\(columns: Job.columns, tenant: tenantID)`.
    static let columns = TenantColumns("""
        j.id, j.order_number, j.title, j.description, j.latitude, j.longitude, j.address, j.required_tags,
        j.window_start, j.window_end, j.status, j.organization_id, j.crew_id,
        (SELECT cr.crew_code FROM crews cr WHERE cr.tenant_id = j.tenant_id$tenant(cr) AND cr.id = j.crew_id),
        j.conversation_id, j.created_by, j.created_at, j.updated_at, j.status_changed_at
        """)

    init(row: PostgresRow) throws {
        let (id, orderNumber, title, description, latitude, longitude, address, requiredTags, windowStart, windowEnd, status,
             organizationID, crewID, crewCode, conversationID, createdBy, createdAt, updatedAt, statusChangedAt) =
            try row.decode((UUID, String, String, String?, Double?, Double?, String?, [String], Date?, Date?, String,
                            UUID?, UUID?, String?, UUID?, String, Date, Date, Date).self)
        self.id = id
        self.orderNumber = orderNumber
        self.title = title
        self.description = description
        self.latitude = latitude
        self.longitude = longitude
        self.address = address
        self.requiredTags = requiredTags
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.status = JobStatus(rawValue: status) ?? .open
        self.organizationId = organizationID
        self.crewId = crewID
        self.crewCode = crewCode
        self.conversationId = conversationID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.statusChangedAt = statusChangedAt
    }
}

/// The editable facts of a job, validated field by field (cross-field rules are checked on the
/// merged result by `JobDraft.check`).
struct JobDraft: Sendable, Equatable {
    var orderNumber: String
    var title: String
    var description: String?
    var location: GeoPoint?
    var address: String?
    var requiredTags: [String]
    var windowStart: Date?
    var windowEnd: Date?
    var status: JobStatus
    var organizationID: UUID?
    var crewID: UUID?
    var conversationID: UUID?

    /// Rules between fields: a time window that ends after it starts, a crew only with its
    /// subcontractor.
    func check() throws {
        if let start = windowStart, let end = windowEnd, end <= start {
            throw ValidationError(field: "window_end", message: "window_end must be after window_start")
        }
        if crewID != nil, organizationID == nil {
            throw ValidationError(field: "crew_id", message: "a crew is given with its subcontractor: set organization_id too")
        }
    }
}

/// A PATCH of a job: absent fields stay, `null` clears optional ones.
struct JobChanges: Sendable {
    var orderNumber: String?
    var title: String?
    var description: FieldUpdate<String> = .unchanged
    var location: FieldUpdate<GeoPoint> = .unchanged
    var address: FieldUpdate<String> = .unchanged
    var requiredTags: [String]?
    var windowStart: FieldUpdate<Date> = .unchanged
    var windowEnd: FieldUpdate<Date> = .unchanged
    var status: JobStatus?
    var organizationID: FieldUpdate<UUID> = .unchanged
    var crewID: FieldUpdate<UUID> = .unchanged
    var conversationID: FieldUpdate<UUID> = .unchanged

    /// The job as it would be after the change.
    func applied(to job: Job) throws -> JobDraft {
        let current = try GeoPoint.ifBoth(latitude: job.latitude, longitude: job.longitude)
        return JobDraft(
            orderNumber: orderNumber ?? job.orderNumber, title: title ?? job.title,
            description: description.applied(to: job.description), location: location.applied(to: current),
            address: address.applied(to: job.address), requiredTags: requiredTags ?? job.requiredTags,
            windowStart: windowStart.applied(to: job.windowStart), windowEnd: windowEnd.applied(to: job.windowEnd),
            status: status ?? job.status, organizationID: organizationID.applied(to: job.organizationId),
            crewID: crewID.applied(to: job.crewId), conversationID: conversationID.applied(to: job.conversationId))
    }
}

/// Filters of `GET /v1/jobs`.
struct JobFilter: Sendable {
    var orderNumber: String?
    var status: JobStatus?
    var organizationID: UUID?
    /// The current code of the job's crew.
    var crewCode: String?
    var conversationID: UUID?
    var updatedSince: Date?
}

/// A job as a conversation in the member's timeline shows it.
struct JobSummary: Encodable, Sendable {
    let id: UUID
    let orderNumber: String
    let title: String
    let status: JobStatus
    /// The conversation it is linked to (not encoded: it is the enclosing conversation).
    let conversationId: UUID

    enum CodingKeys: String, CodingKey { case id, orderNumber, title, status }
}

extension GeoPoint {
    /// The point of a stored pair of coordinates: nil unless both are there.
    static func ifBoth(latitude: Double?, longitude: Double?) throws -> GeoPoint? {
        guard let latitude, let longitude else { return nil }
        return try GeoPoint(latitude: latitude, longitude: longitude)
    }
}
