import FieldlineDomain
import Foundation

/// The body of `POST /v1/jobs`.
struct CreateJobRequest: RequestBody {
    let orderNumber: String
    let title: String
    let description: String?
    let latitude: Double?
    let longitude: Double?
    let address: String?
    let requiredTags: [String]?
    let windowStart: Date?
    let windowEnd: Date?
    let status: String?
    let organizationId: UUID?
    let crewId: UUID?
    let conversationId: UUID?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case orderNumber = "order_number", title, description, latitude, longitude, address, requiredTags = "required_tags"
        case windowStart = "window_start", windowEnd = "window_end", status, organizationId = "organization_id"
        case crewId = "crew_id", conversationId = "conversation_id"
    }

    /// The validated job.
    func draft() throws -> JobDraft {
        JobDraft(
            orderNumber: try JobFields.orderNumber(orderNumber), title: try Validate.name(title, field: "title"),
            description: try JobFields.description(description),
            location: try JobFields.location(latitude: latitude, longitude: longitude),
            address: try Validate.optionalText(address, field: "address", maxLength: 500),
            requiredTags: try Validate.tags(requiredTags ?? [], field: "required_tags"),
            windowStart: windowStart, windowEnd: windowEnd, status: try status.map(JobFields.status) ?? .open,
            organizationID: organizationId, crewID: crewId, conversationID: conversationId)
    }
}

/// The body of `PATCH /v1/jobs/{id}`: absent fields stay, `null` clears optional ones.
struct UpdateJobRequest: RequestBody {
    let changes: JobChanges
    enum CodingKeys: String, CodingKey, CaseIterable {
        case orderNumber = "order_number", title, description, latitude, longitude, address, requiredTags = "required_tags"
        case windowStart = "window_start", windowEnd = "window_end", status, organizationId = "organization_id"
        case crewId = "crew_id", conversationId = "conversation_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var changes = JobChanges()
        changes.orderNumber = try Self.required(String.self, .orderNumber, container).map(JobFields.orderNumber)
        changes.title = try Self.required(String.self, .title, container).map { try Validate.name($0, field: "title") }
        changes.description = try container.decodeUpdate(String.self, forKey: .description).flatMap(JobFields.description)
        changes.location = try Self.location(container)
        changes.address = try container.decodeUpdate(String.self, forKey: .address)
            .flatMap { try Validate.optionalText($0, field: "address", maxLength: 500) }
        changes.requiredTags = try Self.required([String].self, .requiredTags, container)
            .map { try Validate.tags($0, field: "required_tags") }
        changes.windowStart = try container.decodeUpdate(Date.self, forKey: .windowStart)
        changes.windowEnd = try container.decodeUpdate(Date.self, forKey: .windowEnd)
        changes.status = try Self.required(String.self, .status, container).map(JobFields.status)
        changes.organizationID = try container.decodeUpdate(UUID.self, forKey: .organizationId)
        changes.crewID = try container.decodeUpdate(UUID.self, forKey: .crewId)
        changes.conversationID = try container.decodeUpdate(UUID.self, forKey: .conversationId)
        self.changes = changes
    }

    /// A field that cannot be cleared: absent keeps it, `null` is refused (422) rather than ignored.
    private static func required<T: Decodable>(_ type: T.Type, _ key: CodingKeys, _ container: KeyedDecodingContainer<CodingKeys>) throws -> T? {
        if container.contains(key), try container.decodeNil(forKey: key) {
            throw ValidationError(field: key.rawValue, message: "\(key.rawValue) cannot be null; leave it out to keep it")
        }
        return try container.decodeIfPresent(type, forKey: key)
    }

    /// Latitude and longitude change together: both numbers, or both null to clear the location.
    private static func location(_ container: KeyedDecodingContainer<CodingKeys>) throws -> FieldUpdate<GeoPoint> {
        let latitude = try container.decodeUpdate(Double.self, forKey: .latitude)
        let longitude = try container.decodeUpdate(Double.self, forKey: .longitude)
        switch (latitude, longitude) {
        case (.unchanged, .unchanged): return .unchanged
        case (.set(nil), .set(nil)): return .set(nil)
        case (.set(let lat?), .set(let lon?)): return .set(try GeoPoint(latitude: lat, longitude: lon))
        default:
            throw ValidationError(field: "latitude", message: "latitude and longitude change together: give both, or both null to clear the location")
        }
    }
}

/// Field rules shared by creating and changing a job.
enum JobFields {
    /// The tenant's order number: trimmed, 1–100 characters, no control characters.
    static func orderNumber(_ raw: String) throws -> String {
        let value = try Validate.name(raw, field: "order_number", maxLength: 100)
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(field: "order_number", message: "order_number must not contain control characters")
        }
        return value
    }

    /// Optional free text of up to 5,000 characters.
    static func description(_ raw: String?) throws -> String? {
        try Validate.optionalText(raw, field: "description", maxLength: 5000)
    }

    /// Both coordinates or neither.
    static func location(latitude: Double?, longitude: Double?) throws -> GeoPoint? {
        switch (latitude, longitude) {
        case (nil, nil): return nil
        case (let lat?, let lon?): return try GeoPoint(latitude: lat, longitude: lon)
        default: throw ValidationError(field: latitude == nil ? "latitude" : "longitude", message: "give both latitude and longitude, or neither")
        }
    }

    /// A status by its wire name.
    static func status(_ raw: String) throws -> JobStatus {
        guard let status = JobStatus(rawValue: raw) else {
            throw ValidationError(field: "status", message: "status must be one of: \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
