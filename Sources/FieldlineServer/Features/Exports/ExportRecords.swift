import FieldlineDomain
import Foundation

/// A resource an export can write: its CSV columns and one record of them. JSON lines are the
/// value encoded with the API's encoder.
protocol ExportRecord: Encodable, Sendable {
    /// The CSV header's column names, in order.
    static var csvHeader: [String] { get }
    /// This record's CSV cells, in the header's order.
    var csvCells: [CSV.Cell] { get }
}

extension ExportRecord {
    /// The record in `format`, ending in a line break (CRLF in CSV, LF in JSON lines).
    func line(_ format: ExportRequest.Format) throws -> String {
        switch format {
        case .csv: CSV.line(csvCells)
        case .jsonl: String(decoding: try AppRequestContext.encoder.encode(self), as: UTF8.self) + "\n"
        }
    }
}

extension CSV.Cell {
    /// Text, or nothing for nil.
    static func text(_ value: String?) -> CSV.Cell { value.map { .text($0) } ?? .empty }
    /// A lowercase id, or nothing.
    static func id(_ value: UUID?) -> CSV.Cell { value.map { .text($0.uuidString.lowercased()) } ?? .empty }
    /// An RFC 3339 UTC time, or nothing.
    static func time(_ value: Date?) -> CSV.Cell { value.map { .text(RFC3339.format($0)) } ?? .empty }
    /// Coordinates keep their precision (`number` rounds to three decimals).
    static func coordinate(_ value: Double?) -> CSV.Cell { value.map { .exact($0) } ?? .empty }
}

extension Job: ExportRecord {
    static let csvHeader = [
        "id", "order_number", "title", "description", "status", "latitude", "longitude", "address", "required_tags",
        "window_start", "window_end", "organization_id", "crew_id", "crew_code", "conversation_id", "created_by",
        "created_at", "updated_at", "status_changed_at",
    ]

    var csvCells: [CSV.Cell] {
        [.id(id), .text(orderNumber), .text(title), .text(description), .text(status.rawValue), .coordinate(latitude),
         .coordinate(longitude), .text(address), .text(requiredTags.joined(separator: " ")), .time(windowStart), .time(windowEnd),
         .id(organizationId), .id(crewId), .text(crewCode), .id(conversationId), .text(createdBy), .time(createdAt),
         .time(updatedAt), .time(statusChangedAt)]
    }
}

extension ProofExportRow: ExportRecord {
    static let csvHeader = [
        "id", "job_id", "order_number", "crew_code", "member_id", "conversation_id", "latitude", "longitude", "note",
        "review_state", "review_reason", "reviewed_by", "reviewed_at", "submitted_by", "submitted_at", "updated_at",
        "media_count", "media_ids", "media_sha256", "media_urls",
    ]

    /// The files' ids, hashes and links are space-separated, in the proof's order.
    var csvCells: [CSV.Cell] {
        [.id(id), .id(jobId), .text(orderNumber), .text(crewCode), .id(memberId), .id(conversationId), .coordinate(latitude),
         .coordinate(longitude), .text(note), .text(reviewState), .text(reviewReason), .text(reviewedBy), .time(reviewedAt),
         .text(submittedBy), .time(submittedAt), .time(updatedAt), .number(Double(media.count)),
         .text(media.map { $0.id.uuidString.lowercased() }.joined(separator: " ")),
         .text(media.map { $0.sha256 ?? "" }.joined(separator: " ")), .text(media.map { $0.url ?? "" }.joined(separator: " "))]
    }
}
