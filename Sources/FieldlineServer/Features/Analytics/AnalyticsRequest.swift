import Foundation
import Hummingbird

/// What every analytics route reads from its query: a time zone, a period of at most
/// `AnalyticsRequest.maxDays` and the answer's format; and how a CSV answer is sent.
struct AnalyticsRequest {
    /// Longest period one request may cover.
    static let maxDays = 366

    /// The two answer formats.
    enum Format: String, CaseIterable { case json, csv }

    /// The named time zone (`tz`, default UTC).
    let zoneName: String
    /// Start of the period (`from`: a day in `tz` or an RFC 3339 time).
    let from: Date
    /// End of the period (`to`).
    let to: Date
    /// `format`, else CSV when the Accept header asks for it, else JSON.
    let format: Format

    /// Reads and checks the query; a 400 naming the parameter when it is wrong.
    init(_ request: Request) throws {
        let parameters = QueryParameters(request)
        let zoneName = parameters.string("tz") ?? "UTC"
        // Named zones only: PostgreSQL would also take POSIX strings like "GMT+3", whose sign is inverted.
        let known = zoneName == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(zoneName)
        guard known, let zone = TimeZone(identifier: zoneName) else {
            throw APIError.badQuery("tz", "tz must be an IANA time zone name, e.g. UTC or Europe/Madrid")
        }
        let range = try parameters.timeRange(in: zone)
        guard let from = range.from else { throw APIError.badQuery("from", "from is required (2026-01-01 or an RFC 3339 time)") }
        guard let to = range.to else { throw APIError.badQuery("to", "to is required (2026-01-31 or an RFC 3339 time)") }
        guard to.timeIntervalSince(from) <= Double(Self.maxDays) * 86_400 + 3_600 else {
            throw APIError.badQuery("to", "a request covers at most \(Self.maxDays) days")
        }
        self.zoneName = zoneName
        self.from = from
        self.to = to
        self.format = try parameters.oneOf("format", Format.self) ?? (Self.prefersCSV(request) ? .csv : .json)
    }

    /// True when the Accept header asks for CSV rather than JSON.
    static func prefersCSV(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("text/csv") && !accept.contains("application/json")
    }

    /// `text` as a CSV attachment named `name`.
    static func csv(_ text: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
