import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: who covers a job's site")
struct CandidatesTests {
    @Test("candidates are the subcontractors covering the site with the job's tags, nearest first, with the distance in metres")
    func nearestFirst() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            func organization(_ name: String, kind: String = "subcontractor", parent: String? = nil, tags: [String]) async throws -> String {
                let parentField = parent.map { #","parent_id":"\#($0)""# } ?? ""
                let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
                return try #require(try await admin.post(
                    "/v1/organizations", #"{"kind":"\#(kind)","name":"\#(name)","tags":[\#(tagList)]\#(parentField)}"#).json["id"].string)
            }
            func area(_ org: String, _ name: String, _ latitude: Double, _ longitude: Double, km: Double) async throws -> String {
                try #require(try await admin.post("/v1/service-areas", #"""
                    {"organization_id":"\#(org)","name":"\#(name)","latitude":\#(latitude),"longitude":\#(longitude),"radius_km":\#(km)}
                    """#).json["id"].string)
            }
            let north = try await organization("North agency", kind: "partner", tags: [])
            let south = try await organization("South agency", kind: "partner", tags: [])
            let near = try await organization("Near Electric", parent: north, tags: ["electric"])
            let far = try await organization("Far Electric & Gas", parent: south, tags: ["electric", "gas"])
            let untagged = try await organization("Plumbers", parent: north, tags: ["water"])
            let elsewhere = try await organization("Valencia Electric", parent: north, tags: ["electric"])
            _ = try await area(near, "Centro", 40.4200, -3.7000, km: 5)
            let farWide = try await area(far, "Comunidad", 40.6000, -3.9000, km: 60)
            let farClose = try await area(far, "Sur", 40.3500, -3.7100, km: 10)
            _ = try await area(untagged, "Centro", 40.4168, -3.7038, km: 20)
            _ = try await area(elsewhere, "Valencia", 39.4699, -0.3763, km: 30)

            let job = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-7","title":"Meter","latitude":40.4168,"longitude":-3.7038,"required_tags":["electric"]}
                """#).json["id"].string)
            let found = try await admin.get("/v1/jobs/\(job)/candidates")
            #expect(found.status == .ok)
            let data = found.json["data"].array
            #expect(data.map { $0["organization_id"].string } == [near, far])
            // The nearest covering area of each, and the great-circle distance the domain computes.
            let site = try GeoPoint(latitude: 40.4168, longitude: -3.7038)
            let expected = site.distanceKilometres(to: try GeoPoint(latitude: 40.3500, longitude: -3.7100)) * 1000
            #expect(data[1]["service_area_id"].string == farClose)
            #expect(abs((data[1]["distance_m"].double ?? 0) - expected) < 1)
            #expect((data[0]["distance_m"].double ?? 0) < (data[1]["distance_m"].double ?? 0))

            // Within a subtree; and a closer area of `far` moved away leaves its wide one.
            #expect(try await admin.get("/v1/jobs/\(job)/candidates?organization_id=\(south)").json["data"].array.map { $0["organization_id"].string } == [far])
            #expect(try await admin.patch("/v1/service-areas/\(farClose)", #"{"latitude":38.0,"longitude":-1.0}"#).status == .ok)
            let moved = try await admin.get("/v1/jobs/\(job)/candidates").json["data"].array
            #expect(moved.map { $0["service_area_id"].string } .last == farWide)
            #expect(try await admin.get("/v1/jobs/\(job)/candidates?limit=1").json["data"].array.count == 1)

            // A job without a site, an unknown job, a bad limit.
            let nowhere = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-8","title":"Call"}"#).json["id"].string)
            let noSite = try await admin.get("/v1/jobs/\(nowhere)/candidates")
            #expect(noSite.status == .conflict && noSite.json["error"]["code"].string == "job_has_no_site")
            #expect(try await admin.get("/v1/jobs/\(UUID().uuidString)/candidates").status == .notFound)
            #expect(try await admin.get("/v1/jobs/\(job)/candidates?limit=0").status == .badRequest)
        }
    }

    @Test("a supervisor of an organization sees only the candidates in its subtree, and only for jobs it may see")
    func scoped() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let north = try #require(try await admin.post("/v1/organizations", #"{"kind":"partner","name":"North"}"#).json["id"].string)
            let south = try #require(try await admin.post("/v1/organizations", #"{"kind":"partner","name":"South"}"#).json["id"].string)
            var subcontractors: [String] = []
            for (name, parent) in [("Ours", north), ("Theirs", south)] {
                let org = try #require(try await admin.post(
                    "/v1/organizations", #"{"kind":"subcontractor","name":"\#(name)","parent_id":"\#(parent)"}"#).json["id"].string)
                _ = try await admin.post("/v1/service-areas", #"{"organization_id":"\#(org)","name":"Madrid","latitude":40.4,"longitude":-3.7,"radius_km":50}"#)
                subcontractors.append(org)
            }
            #expect(try await admin.get("/v1/jobs/00000000-0000-0000-0000-000000000000/candidates").status == .notFound)
            let ours = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-1","title":"Tow","latitude":40.41,"longitude":-3.70,"organization_id":"\#(subcontractors[0])"}
                """#).json["id"].string)
            let unassigned = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-2","title":"Tow","latitude":40.41,"longitude":-3.70}"#).json["id"].string)
            #expect(try await admin.get("/v1/jobs/\(ours)/candidates").json["data"].array.count == 2)

            let supervisor = try await fixtures.user(in: fixture.tenant, role: .supervisor)
            #expect(try await admin.patch("/v1/users/\(supervisor.userID)", #"{"organization_id":"\#(north)"}"#).status == .ok)
            let scoped = APICaller(client, supervisor)
            #expect(try await scoped.get("/v1/jobs/\(ours)/candidates").json["data"].array.map { $0["organization_id"].string } == [subcontractors[0]])
            #expect(try await scoped.get("/v1/jobs/\(unassigned)/candidates").status == .notFound)
        }
    }

    @Test("under row-level security the search can use the spatial index (cube_contains is LEAKPROOF on our clusters)")
    func usesTheIndex() async throws {
        try await TestApp.run { _, fixtures in
            let tenant = try await fixtures.tenant().tenant
            let plan = try await fixtures.database.withTenantTransaction(tenant.id) { transaction in
                // Tiny tables favour a sequential scan; forbidding it shows whether the index is allowed at all.
                try await transaction.query("SET LOCAL enable_seqscan = off")
                return try await transaction.query("""
                    EXPLAIN SELECT id FROM service_areas
                    WHERE tenant_id = \(tenant.id) AND bounds @> fieldline_earth_point(\(40.4), \(-3.7))
                    """
                ).collect { try $0.decode(String.self) }.joined(separator: "\n")
            }
            #expect(plan.contains("service_areas_bounds_idx"), "\(plan)")
        }
    }
}
