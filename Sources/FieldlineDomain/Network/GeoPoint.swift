import Foundation

/// A position on Earth in degrees (WGS 84).
public struct GeoPoint: Sendable, Equatable {
    /// Degrees north, −90…90.
    public let latitude: Double
    /// Degrees east, −180…180.
    public let longitude: Double

    /// Validates the ranges, naming the field at fault.
    public init(latitude: Double, longitude: Double) throws {
        self.latitude = try Validate.range(latitude, -90...90, field: "latitude")
        self.longitude = try Validate.range(longitude, -180...180, field: "longitude")
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    public func distanceKilometres(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let a = pow2(sin(dLat / 2))
            + cos(latitude * radians) * cos(other.latitude * radians) * pow2(sin(dLon / 2))
        return 2 * 6371.0088 * asin(min(1, a.squareRoot()))
    }
}

/// A subcontractor's working area: a centre and a radius.
public struct ServiceAreaShape: Sendable, Equatable {
    /// Largest radius we accept, in kilometres.
    public static let maxRadiusKilometres = 1000.0
    /// The centre.
    public let centre: GeoPoint
    /// The radius in kilometres, greater than 0.
    public let radiusKilometres: Double

    /// Validates centre and radius.
    public init(latitude: Double, longitude: Double, radiusKilometres: Double) throws {
        centre = try GeoPoint(latitude: latitude, longitude: longitude)
        guard radiusKilometres.isFinite, radiusKilometres > 0, radiusKilometres <= Self.maxRadiusKilometres else {
            throw ValidationError(
                field: "radius_km", code: "out_of_range",
                message: "radius_km must be greater than 0 and at most \(Int(Self.maxRadiusKilometres))")
        }
        self.radiusKilometres = radiusKilometres
    }

    /// Whether a point lies inside the area.
    public func contains(_ point: GeoPoint) -> Bool {
        centre.distanceKilometres(to: point) <= radiusKilometres
    }
}

private func pow2(_ x: Double) -> Double { x * x }
