import FieldlineDomain
import Foundation
import Hummingbird

/// What every export reads from its query: the format, the period (`from`, `to`) and which of
/// the resource's dates it is on (`by`), and how its files are linked (`links`).
struct ExportRequest: Sendable {
    /// CSV (RFC 4180, a header line) or JSON lines (one object per line).
    enum Format: String, CaseIterable, Sendable { case csv, jsonl }
    /// `api`: each file's `/v1/media/{id}/content` (needs a credential with `proofs:read`);
    /// `signed`: a signed link anyone holding it may open until it expires (`/v1/media-links/…`).
    enum Links: String, CaseIterable, Sendable { case api, signed }

    let format: Format
    let from: Date
    let to: Date
    /// The column the period filters on.
    let dateColumn: String
    let links: Links
    /// Seconds a signed link lives.
    let linkLifetime: Int

    /// Reads and checks the query; `dates` maps each accepted `by` value to its column, the first
    /// being the default. A 400 naming the parameter when something is wrong.
    init(_ request: Request, dates: KeyValuePairs<String, String>) throws {
        let query = QueryParameters(request)
        let range = try query.timeRange()
        guard let from = range.from else { throw APIError.badQuery("from", "from is required (2026-01-01 or an RFC 3339 time)") }
        guard let to = range.to else { throw APIError.badQuery("to", "to is required (2026-01-31 or an RFC 3339 time)") }
        self.from = from
        self.to = to
        self.format = try query.oneOf("format", Format.self) ?? .csv
        let by = query.string("by") ?? dates.first?.key ?? ""
        guard let column = dates.first(where: { $0.key == by })?.value else {
            throw APIError.badQuery("by", "by must be one of: \(dates.map(\.key).joined(separator: ", "))")
        }
        self.dateColumn = column
        self.links = try query.oneOf("links", Links.self) ?? .api
        self.linkLifetime = try query.int("expires_in", range: 10...MediaLinks.maxLifetime) ?? MediaLinks.maxLifetime
    }

    /// The response's media type.
    var contentType: String {
        switch format {
        case .csv: "text/csv; charset=utf-8"
        case .jsonl: "application/jsonl; charset=utf-8"
        }
    }

    /// The attachment's file name: `jobs-20261201T000000Z-20261202T000000Z.csv`.
    func fileName(_ resource: String) -> String {
        let stamp = { (date: Date) in RFC3339.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            .replacingOccurrences(of: ".000", with: "") }
        return "\(resource)-\(stamp(from))-\(stamp(to)).\(format.rawValue)"
    }
}
