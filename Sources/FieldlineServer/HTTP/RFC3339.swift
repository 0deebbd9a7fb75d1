import Foundation

/// RFC 3339 UTC times, as the API speaks them: `2026-11-24T15:28:28.123Z`.
enum RFC3339 {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let plain = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// Formats with millisecond precision in UTC.
    static func format(_ date: Date) -> String {
        withFraction.format(date)
    }

    /// Parses with or without fractional seconds; nil for anything else.
    static func parse(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? plain.parse(text))
    }
}
