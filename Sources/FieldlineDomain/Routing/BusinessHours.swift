import Foundation

/// When a team works: intervals per weekday in the team's time zone. An overnight shift is two
/// intervals ("22:00"–"24:00" and the next day's "00:00"–"06:00").
public struct BusinessHours: Sendable, Equatable, Codable {
    /// One working interval.
    public struct Interval: Sendable, Equatable, Codable {
        /// Lower-case English weekday name ("monday").
        public let day: String
        /// "HH:MM", inclusive.
        public let open: String
        /// "HH:MM", exclusive; "24:00" is midnight at the end of the day.
        public let close: String

        /// An interval; validate with `BusinessHours.init(validating:timeZone:)`.
        public init(day: String, open: String, close: String) {
            self.day = day
            self.open = open
            self.close = close
        }
    }

    /// Weekday names in `Calendar` order (1 = Sunday).
    public static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// The intervals as given.
    public let intervals: [Interval]

    /// Checks every interval (known day, valid times, open before close) and the time zone.
    public init(validating intervals: [Interval], field: String = "business_hours") throws {
        guard intervals.count <= 50 else {
            throw ValidationError(field: field, code: "too_many", message: "at most 50 intervals")
        }
        for interval in intervals {
            guard Self.weekdays.contains(interval.day) else {
                throw ValidationError(field: field, message: "unknown day '\(interval.day)'; use \(Self.weekdays.joined(separator: ", "))")
            }
            guard let open = Self.minutes(interval.open), let close = Self.minutes(interval.close) else {
                throw ValidationError(field: field, message: "times are HH:MM from 00:00 to 24:00 ('\(interval.open)'–'\(interval.close)')")
            }
            guard open < close else {
                throw ValidationError(field: field, message: "\(interval.day) \(interval.open)–\(interval.close) closes before it opens; split an overnight shift in two days")
            }
        }
        self.intervals = intervals
    }

    /// A time zone identifier such as "America/Bogota", validated.
    public static func timeZone(_ identifier: String, field: String = "time_zone") throws -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else {
            throw ValidationError(field: field, message: "unknown time zone '\(identifier.prefix(60))'; use an IANA name such as Europe/Madrid")
        }
        return zone
    }

    /// Whether `date` falls in an interval, in `timeZone`.
    public func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        let (weekday, minute) = Self.position(of: date, in: timeZone)
        return intervals.contains { interval in
            interval.day == Self.weekdays[weekday - 1]
                && (Self.minutes(interval.open) ?? 0) <= minute && minute < (Self.minutes(interval.close) ?? 0)
        }
    }

    /// The next moment at or after `date` when the team is open; nil when there are no intervals.
    public func nextOpening(after date: Date, in timeZone: TimeZone) -> Date? {
        if isOpen(at: date, in: timeZone) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let startOfToday = calendar.startOfDay(for: date)
        var best: Date?
        for dayOffset in 0...7 {
            guard let day = calendar.date(byAdding: .day, value: dayOffset, to: startOfToday) else { continue }
            let name = Self.weekdays[calendar.component(.weekday, from: day) - 1]
            for interval in intervals where interval.day == name {
                guard let open = Self.minutes(interval.open),
                      let start = calendar.date(byAdding: .minute, value: open, to: day), start > date else { continue }
                if best.map({ start < $0 }) ?? true { best = start }
            }
            if best != nil { return best }
        }
        return best
    }

    static func minutes(_ time: String) -> Int? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 24 * 60 else { return nil }
        return hours * 60 + minutes
    }

    private static func position(of date: Date, in timeZone: TimeZone) -> (weekday: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        return (parts.weekday ?? 1, (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
    }
}
