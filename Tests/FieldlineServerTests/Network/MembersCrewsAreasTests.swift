import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Members, crews and service areas")
struct MembersCrewsAreasTests {
    private func subcontractor(_ api: APICaller, _ name: String = "Tow Co") async throws -> String {
        try #require(try await api.post("/v1/organizations", #"{"kind":"subcontractor","name":"\#(name)"}"#).json["id"].string)
    }

    @Test("members: phones become E.164, identities are unique per tenant and searchable")
    func members() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let org = try await subcontractor(api)
            let created = try await api.post("/v1/members", #"""
                {"organization_id":"\#(org)","name":"Lucía","phone":"0034 600-123-456",
                 "identities":[{"kind":"whatsapp","external_id":"+34 600 123 456"},{"kind":"telegram","external_id":"98765"}]}
                """#)
            #expect(created.status == .created)
            #expect(created.json["phone"].string == "+34600123456")
            #expect(created.json["identities"].array.map { $0["external_id"].string } == ["+34600123456", "98765"])
            let id = try #require(created.json["id"].string)

            let clash = try await api.post("/v1/members", #"{"organization_id":"\#(org)","name":"Other","identities":[{"kind":"whatsapp","external_id":"0034600123456"}]}"#)
            #expect(clash.status == .conflict)
            #expect(clash.json["error"]["code"].string == "identity_taken")
            // The same number on another provider is a different identity.
            #expect(try await api.post("/v1/members/\(id)/identities", #"{"kind":"sms","external_id":"+34600123456"}"#).status == .created)

            let found = try await api.get("/v1/members?identity_kind=whatsapp&external_id=%2B34600123456")
            #expect(found.json["data"].array.map { $0["id"].string } == [id])
            #expect(try await api.get("/v1/members?organization_id=\(org)").json["data"].array.count == 1)

            let national = try await api.post("/v1/members", #"{"organization_id":"\#(org)","name":"X","phone":"600123456"}"#)
            #expect(national.status == .unprocessableContent)
            #expect(national.json["error"]["field"].string == "phone")
            let badIdentity = try await api.post("/v1/members", #"{"organization_id":"\#(org)","name":"X","identities":[{"kind":"telegram","external_id":"abc"}]}"#)
            #expect(badIdentity.json["error"]["field"].string == "identities[0].external_id")
            let unknownOrg = try await api.post("/v1/members", #"{"organization_id":"\#(UUID())","name":"X"}"#)
            #expect(unknownOrg.status == .unprocessableContent)
            #expect(unknownOrg.json["error"]["field"].string == "organization_id")

            let cleared = try await api.patch("/v1/members/\(id)", #"{"phone":null,"title":"Driver"}"#)
            #expect(cleared.json["phone"].isNull)
            #expect(cleared.json["title"].string == "Driver")
            let identityID = try #require(cleared.json["identities"][0]["id"].string)
            #expect(try await api.delete("/v1/members/\(id)/identities/\(identityID)").status == .noContent)
            #expect(try await api.get("/v1/members/\(id)").json["identities"].array.count == 2)
            #expect(try await api.delete("/v1/members/\(id)").status == .noContent)
            #expect(try await api.get("/v1/members/\(id)").status == .notFound)
        }
    }

    @Test("crews: codes unique per tenant, members only from the crew's subcontractor")
    func crews() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let org = try await subcontractor(api)
            let otherOrg = try await subcontractor(api, "Other Co")
            let member = try #require(try await api.post("/v1/members", #"{"organization_id":"\#(org)","name":"A"}"#).json["id"].string)
            let outsider = try #require(try await api.post("/v1/members", #"{"organization_id":"\#(otherOrg)","name":"B"}"#).json["id"].string)

            let crew = try await api.post("/v1/crews", #"{"organization_id":"\#(org)","name":"Night","crew_code":"rx-042","member_ids":["\#(member)"]}"#)
            #expect(crew.status == .created)
            #expect(crew.json["crew_code"].string == "RX-042")
            #expect(crew.json["member_ids"].array.map { $0.string } == [member])
            let crewID = try #require(crew.json["id"].string)

            let taken = try await api.post("/v1/crews", #"{"organization_id":"\#(otherOrg)","name":"Dup","crew_code":"RX-042"}"#)
            #expect(taken.status == .conflict)
            #expect(taken.json["error"]["code"].string == "crew_code_taken")
            #expect(try await api.put("/v1/crews/\(crewID)/members/\(outsider)", "{}").status == .notFound)
            let withOutsider = try await api.post("/v1/crews", #"{"organization_id":"\#(org)","name":"Mixed","crew_code":"RX-043","member_ids":["\#(outsider)"]}"#)
            #expect(withOutsider.status == .unprocessableContent)
            #expect(try await api.get("/v1/crews?crew_code=RX-043").json["data"].array.isEmpty)

            let company = try #require(try await api.post("/v1/organizations", #"{"kind":"company","name":"HQ"}"#).json["id"].string)
            let wrongKind = try await api.post("/v1/crews", #"{"organization_id":"\#(company)","name":"X","crew_code":"HQ-1"}"#)
            #expect(wrongKind.json["error"]["code"].string == "not_a_subcontractor")
            #expect(try await api.post("/v1/crews", #"{"organization_id":"\#(org)","name":"X","crew_code":"no spaces"}"#).json["error"]["field"].string == "crew_code")

            #expect(try await api.get("/v1/crews?crew_code=rx-042").json["data"].array.map { $0["id"].string } == [crewID])
            #expect(try await api.get("/v1/members?crew_id=\(crewID)").json["data"].array.map { $0["id"].string } == [member])
            #expect(try await api.delete("/v1/crews/\(crewID)/members/\(member)").status == .noContent)
            #expect(try await api.get("/v1/crews/\(crewID)").json["member_ids"].array.isEmpty)
        }
    }

    @Test("service areas: ranges validated, point coverage by distance")
    func serviceAreas() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let org = try await subcontractor(api)
            // Madrid centre, 15 km.
            let area = try await api.post("/v1/service-areas", #"{"organization_id":"\#(org)","name":"Madrid","latitude":40.4168,"longitude":-3.7038,"radius_km":15}"#)
            #expect(area.status == .created)
            let areaID = try #require(area.json["id"].string)
            // Chamartín (~5.5 km) is covered; Toledo (~67 km) is not.
            #expect(try await api.get("/v1/service-areas?covers_lat=40.4623&covers_lon=-3.6774").json["data"].array.map { $0["id"].string } == [areaID])
            #expect(try await api.get("/v1/service-areas?covers_lat=39.8628&covers_lon=-4.0273").json["data"].array.isEmpty)
            #expect(try await api.get("/v1/service-areas?covers_lat=40").status == .badRequest)

            for (body, field) in [
                (#"{"organization_id":"\#(org)","name":"X","latitude":91,"longitude":0,"radius_km":1}"#, "latitude"),
                (#"{"organization_id":"\#(org)","name":"X","latitude":0,"longitude":-181,"radius_km":1}"#, "longitude"),
                (#"{"organization_id":"\#(org)","name":"X","latitude":0,"longitude":0,"radius_km":0}"#, "radius_km"),
                (#"{"organization_id":"\#(org)","name":"X","latitude":0,"longitude":0,"radius_km":5000}"#, "radius_km"),
                (#"{"organization_id":"\#(org)","name":"X","latitude":"north","longitude":0,"radius_km":1}"#, "latitude"),
            ] {
                let response = try await api.post("/v1/service-areas", body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.json["error"]["field"].string == field, "\(body)")
            }
            let patched = try await api.patch("/v1/service-areas/\(areaID)", #"{"radius_km":80}"#)
            #expect(patched.json["radius_km"].double == 80)
            #expect(patched.json["latitude"].double == 40.4168)
            #expect(try await api.get("/v1/service-areas?covers_lat=39.8628&covers_lon=-4.0273").json["data"].array.count == 1)
            #expect(try await api.patch("/v1/service-areas/\(areaID)", #"{"latitude":-100}"#).status == .unprocessableContent)
        }
    }

    @Test("users and teams: unique emails per tenant, memberships with roles")
    func usersAndTeams() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let other = APICaller(client, try await fixtures.tenant("other"))
            let body = #"{"email":"Agent@Acme.test","name":"Agent","role":"agent","password":"long enough password"}"#
            let user = try await admin.post("/v1/users", body)
            #expect(user.status == .created)
            #expect(user.json["email"].string == "agent@acme.test")
            #expect(user.json["password_hash"].isNull)
            let userID = try #require(user.json["id"].string)
            #expect(try await admin.post("/v1/users", body).json["error"]["code"].string == "email_taken")
            // Another tenant's users are not in the way (nor revealed): emails are unique per tenant.
            #expect(try await other.post("/v1/users", body).status == .created)
            #expect(try await admin.post("/v1/users", #"{"email":"x@acme.test","name":"X","role":"agent","password":"short"}"#).json["error"]["field"].string == "password")
            #expect(try await admin.post("/v1/users", #"{"email":"x@acme.test","name":"X","role":"boss","password":"long enough password"}"#).json["error"]["field"].string == "role")

            let team = try await admin.post("/v1/teams", #"{"name":"Dispatch"}"#)
            let teamID = try #require(team.json["id"].string)
            #expect(try await admin.post("/v1/teams", #"{"name":"Dispatch"}"#).status == .conflict)
            let membership = try await admin.put("/v1/teams/\(teamID)/members/\(userID)", #"{"role":"supervisor"}"#)
            #expect(membership.json["role"].string == "supervisor")
            #expect(try await admin.get("/v1/teams/\(teamID)").json["member_count"].int == 1)
            #expect(try await admin.put("/v1/teams/\(teamID)/members/\(userID)", #"{"role":"boss"}"#).status == .unprocessableContent)
            #expect(try await admin.put("/v1/teams/\(teamID)/members/\(UUID())", "{}").status == .notFound)
            #expect(try await admin.delete("/v1/teams/\(teamID)/members/\(userID)").status == .noContent)
            #expect(try await admin.get("/v1/teams/\(teamID)/members").json["data"].array.isEmpty)
            #expect(try await admin.get("/v1/users?role=agent").json["data"].array.map { $0["id"].string } == [userID])

            let me = try #require(try await admin.get("/v1/users/me").json["id"].string)
            let demote = try await admin.patch("/v1/users/\(me)", #"{"role":"agent"}"#)
            #expect(demote.json["error"]["code"].string == "cannot_demote_self")
        }
    }
}
