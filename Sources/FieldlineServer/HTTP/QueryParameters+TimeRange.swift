import FieldlineDomain
import Foundation

/// A `from`/`to` range given as query parameters.
struct TimeRange: Sendable {
    /// Inclusive start, if given.
    let from: Date?
    /// Exclusive end, if given.
    let to: Date?
}

extension QueryParameters {
    /// `from` and `to`, each an RFC 3339 time or a whole day `YYYY-MM-DD` in `timeZone`
    /// (`from` a day: from its start; `to` a day: through its end). `from` must precede `to`.
    func timeRange(in timeZone: TimeZone = .gmt) throws -> TimeRange {
        let from = try timeBound("from", end: false, timeZone: timeZone)
        let to = try timeBound("to", end: true, timeZone: timeZone)
        if let from, let to, from >= to {
            throw APIError.badQuery("to", "to must be later than from")
        }
        return TimeRange(from: from, to: to)
    }

    private func timeBound(_ name: String, end: Bool, timeZone: TimeZone) throws -> Date? {
        guard let raw = string(name) else { return nil }
        if let day = CalendarDay(parsing: raw) { return end ? day.end(in: timeZone) : day.start(in: timeZone) }
        guard let instant = RFC3339.parse(raw) else {
            throw APIError.badQuery(name, "\(name) must be an RFC 3339 time (2026-01-31T09:00:00Z) or a date (2026-01-31)")
        }
        return instant
    }
}
