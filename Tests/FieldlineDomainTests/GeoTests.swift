import FieldlineDomain
import Testing

private let madrid = try! GeoPoint(latitude: 40.4168, longitude: -3.7038)
private let barcelona = try! GeoPoint(latitude: 41.3874, longitude: 2.1686)

@Suite("GeoPoint")
struct GeoPointTests {
    @Test("keeps valid coordinates, bounds included", arguments: [
        (0.0, 0.0), (90, 180), (-90, -180), (40.4168, -3.7038), (-33.8688, 151.2093),
    ])
    func valid(latitude: Double, longitude: Double) throws {
        let point = try GeoPoint(latitude: latitude, longitude: longitude)
        #expect(point.latitude == latitude)
        #expect(point.longitude == longitude)
    }

    @Test("refuses latitudes outside −90…90, naming the field", arguments: [
        90.0001, -90.0001, 180, Double.nan, Double.infinity, -Double.infinity,
    ])
    func badLatitude(latitude: Double) throws {
        let error = try #require(throws: ValidationError.self) { try GeoPoint(latitude: latitude, longitude: 0) }
        #expect(error == ValidationError(
            field: "latitude", code: "out_of_range", message: "latitude must be between -90 and 90"))
    }

    @Test("refuses longitudes outside −180…180, naming the field", arguments: [
        180.0001, -180.0001, 360, Double.nan, Double.infinity,
    ])
    func badLongitude(longitude: Double) throws {
        let error = try #require(throws: ValidationError.self) { try GeoPoint(latitude: 0, longitude: longitude) }
        #expect(error == ValidationError(
            field: "longitude", code: "out_of_range", message: "longitude must be between -180 and 180"))
    }

    @Test("latitude is checked before longitude")
    func latitudeFirst() throws {
        let error = try #require(throws: ValidationError.self) { try GeoPoint(latitude: 100, longitude: 200) }
        #expect(error.field == "latitude")
    }

    @Test("Madrid–Barcelona is about 505 km, in both directions")
    func madridBarcelona() {
        let there = madrid.distanceKilometres(to: barcelona)
        let back = barcelona.distanceKilometres(to: madrid)
        #expect(abs(there - 505) < 3)
        #expect(abs(there - back) < 1e-9)
    }

    @Test("a point is 0 km from itself")
    func zeroDistance() {
        #expect(madrid.distanceKilometres(to: madrid) == 0)
    }

    @Test("known great-circle distances on the mean-radius sphere")
    func knownDistances() throws {
        let origin = try GeoPoint(latitude: 0, longitude: 0)
        let earthRadius = 6371.0088
        // One degree along the equator or a meridian is R·π/180 ≈ 111.195 km.
        let oneDegree = earthRadius * .pi / 180
        #expect(abs(origin.distanceKilometres(to: try GeoPoint(latitude: 0, longitude: 1)) - oneDegree) < 1e-6)
        #expect(abs(origin.distanceKilometres(to: try GeoPoint(latitude: 1, longitude: 0)) - oneDegree) < 1e-6)
        // Pole to pole and antipodes: half the circumference, without NaN from asin(>1).
        let halfCircumference = earthRadius * .pi
        let north = try GeoPoint(latitude: 90, longitude: 0)
        let south = try GeoPoint(latitude: -90, longitude: 0)
        #expect(abs(north.distanceKilometres(to: south) - halfCircumference) < 1e-6)
        let antipode = try GeoPoint(latitude: 0, longitude: 180)
        #expect(abs(origin.distanceKilometres(to: antipode) - halfCircumference) < 1e-6)
        // Crossing the antimeridian takes the short way round.
        let east = try GeoPoint(latitude: 0, longitude: 179.5)
        let west = try GeoPoint(latitude: 0, longitude: -179.5)
        #expect(abs(east.distanceKilometres(to: west) - oneDegree) < 1e-6)
        // Equator to pole is a quarter circumference.
        #expect(abs(origin.distanceKilometres(to: north) - halfCircumference / 2) < 1e-6)
        // Longitude does not matter at the pole.
        let northElsewhere = try GeoPoint(latitude: 90, longitude: 123)
        #expect(north.distanceKilometres(to: northElsewhere) < 1e-9)
    }

    @Test("Sydney–London is roughly 17 000 km")
    func longHaul() throws {
        let sydney = try GeoPoint(latitude: -33.8688, longitude: 151.2093)
        let london = try GeoPoint(latitude: 51.5074, longitude: -0.1278)
        #expect(abs(sydney.distanceKilometres(to: london) - 16_994) < 30)
    }
}

@Suite("ServiceAreaShape")
struct ServiceAreaShapeTests {
    @Test("keeps a valid centre and radius")
    func valid() throws {
        let area = try ServiceAreaShape(latitude: 40.4168, longitude: -3.7038, radiusKilometres: 25)
        #expect(area.centre == madrid)
        #expect(area.radiusKilometres == 25)
        #expect(ServiceAreaShape.maxRadiusKilometres == 1000)
        #expect(try ServiceAreaShape(latitude: 0, longitude: 0, radiusKilometres: 1000).radiusKilometres == 1000)
        #expect(try ServiceAreaShape(latitude: 0, longitude: 0, radiusKilometres: 0.001).radiusKilometres == 0.001)
    }

    @Test("refuses a radius that is not greater than 0 and at most 1000", arguments: [
        0.0, -0.0, -5, 1000.0001, 5000, Double.nan, Double.infinity, -Double.infinity,
    ])
    func badRadius(radius: Double) throws {
        let error = try #require(throws: ValidationError.self) {
            try ServiceAreaShape(latitude: 40, longitude: -3, radiusKilometres: radius)
        }
        #expect(error == ValidationError(
            field: "radius_km", code: "out_of_range", message: "radius_km must be greater than 0 and at most 1000"))
    }

    @Test("refuses a bad centre, naming the coordinate")
    func badCentre() throws {
        let lat = try #require(throws: ValidationError.self) {
            try ServiceAreaShape(latitude: 91, longitude: 0, radiusKilometres: 10)
        }
        #expect(lat.field == "latitude")
        let lon = try #require(throws: ValidationError.self) {
            try ServiceAreaShape(latitude: 0, longitude: -181, radiusKilometres: 10)
        }
        #expect(lon.field == "longitude")
    }

    @Test("contains points within the radius, including the centre")
    func contains() throws {
        let area = try ServiceAreaShape(latitude: 40.4168, longitude: -3.7038, radiusKilometres: 30)
        #expect(area.contains(madrid))
        // Getafe, about 13 km south of Madrid.
        #expect(area.contains(try GeoPoint(latitude: 40.3057, longitude: -3.7329)))
        // Toledo, about 67 km away.
        #expect(!area.contains(try GeoPoint(latitude: 39.8628, longitude: -4.0273)))
        #expect(!area.contains(barcelona))
    }

    @Test("the boundary is decided by the radius: 505 km reaches Barcelona, 500 km does not")
    func boundary() throws {
        let wide = try ServiceAreaShape(latitude: 40.4168, longitude: -3.7038, radiusKilometres: 510)
        let narrow = try ServiceAreaShape(latitude: 40.4168, longitude: -3.7038, radiusKilometres: 500)
        #expect(wide.contains(barcelona))
        #expect(!narrow.contains(barcelona))
        // A point exactly one degree away along the equator, with the radius set to that distance.
        let oneDegree = try GeoPoint(latitude: 0, longitude: 0).distanceKilometres(to: try GeoPoint(latitude: 0, longitude: 1))
        let exact = try ServiceAreaShape(latitude: 0, longitude: 0, radiusKilometres: oneDegree)
        #expect(exact.contains(try GeoPoint(latitude: 0, longitude: 1)))
        #expect(!exact.contains(try GeoPoint(latitude: 0, longitude: 1.001)))
    }
}
