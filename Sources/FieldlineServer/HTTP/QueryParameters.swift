import FieldlineDomain
import Foundation
import Hummingbird

/// Typed query-string access whose errors name the parameter (400 `invalid_query_parameter`).
struct QueryParameters: Sendable {
    private let values: [String: String]

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            values[String(key)] = String(value)
        }
        self.values = values
    }

    func string(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError.badQuery(name, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func double(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let raw = string(name) else { return nil }
        guard let value = Double(raw), value.isFinite, range.contains(value) else {
            throw APIError.badQuery(name, "\(name) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let raw = string(name) else { return nil }
        guard let value = UUID(uuidString: raw) else { throw APIError.badQuery(name, "\(name) must be a UUID") }
        return value
    }

    func date(_ name: String) throws -> Date? {
        guard let raw = string(name) else { return nil }
        guard let value = RFC3339.parse(raw) else {
            throw APIError.badQuery(name, "\(name) must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z")
        }
        return value
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = string(name) else { return nil }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badQuery(name, "\(name) must be one of: \(allowed)")
        }
        return value
    }
}

extension Parameters {
    /// A UUID path parameter; anything else is a 404, as an unknown id would be.
    func uuid(_ name: String, _ what: String) throws -> UUID {
        guard let raw = get(name), let id = UUID(uuidString: raw) else { throw APIError.notFound(what) }
        return id
    }
}
