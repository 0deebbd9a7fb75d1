import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Organizations")
struct OrganizationsTests {
    @Test("create, read, list with filters and cursor pages")
    func crudAndList() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let hq = try await api.post("/v1/organizations", #"{"kind":"company","name":"  Acme HQ ","tags":["Insurer","insurer"]}"#)
            #expect(hq.status == .created)
            #expect(hq.json["name"].string == "Acme HQ")
            #expect(hq.json["tags"].array == [.string("insurer")])
            #expect(hq.json["depth"].int == 0)
            let hqID = try #require(hq.json["id"].string)
            #expect(hq.headers[.location] == "/v1/organizations/\(hqID)")

            for index in 1...5 {
                let response = try await api.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow \#(index)","parent_id":"\#(hqID)"}"#)
                #expect(response.status == .created)
                #expect(response.json["path"].array.first?.string == hqID)
            }
            let fetched = try await api.get("/v1/organizations/\(hqID)")
            #expect(fetched.status == .ok)
            #expect(fetched.json["kind"].string == "company")

            let first = try await api.get("/v1/organizations?kind=subcontractor&limit=2")
            #expect(first.json["data"].array.map { $0["name"].string } == ["Tow 5", "Tow 4"])
            let cursor = try #require(first.json["next_cursor"].string)
            let second = try await api.get("/v1/organizations?kind=subcontractor&limit=2&cursor=\(cursor)")
            #expect(second.json["data"].array.map { $0["name"].string } == ["Tow 3", "Tow 2"])
            let last = try await api.get("/v1/organizations?kind=subcontractor&limit=2&cursor=\(try #require(second.json["next_cursor"].string))")
            #expect(last.json["data"].array.map { $0["name"].string } == ["Tow 1"])
            #expect(last.json["next_cursor"].isNull)

            let byTag = try await api.get("/v1/organizations?tag=insurer")
            #expect(byTag.json["data"].array.map { $0["id"].string } == [hqID])
            let byName = try await api.get("/v1/organizations?q=tow%203")
            #expect(byName.json["data"].array.map { $0["name"].string } == ["Tow 3"])
        }
    }

    @Test("subtree, ancestors and moving a subtree keep paths consistent; cycles are refused")
    func hierarchy() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            func create(_ name: String, kind: String = "partner", parent: String? = nil) async throws -> String {
                let parentJSON = parent.map { #","parent_id":"\#($0)""# } ?? ""
                let response = try await api.post("/v1/organizations", #"{"kind":"\#(kind)","name":"\#(name)"\#(parentJSON)}"#)
                #expect(response.status == .created)
                return try #require(response.json["id"].string)
            }
            let insurer = try await create("Insurer", kind: "company")
            let agencyA = try await create("Agency A", parent: insurer)
            let agencyB = try await create("Agency B", parent: insurer)
            let provider = try await create("Provider", kind: "subcontractor", parent: agencyA)
            let crewBase = try await create("Depot", kind: "subcontractor", parent: provider)

            let subtree = try await api.get("/v1/organizations/\(agencyA)/subtree")
            #expect(Set(subtree.json["data"].array.compactMap { $0["id"].string }) == [provider, crewBase])
            let ancestors = try await api.get("/v1/organizations/\(crewBase)/ancestors")
            #expect(ancestors.json["data"].array.compactMap { $0["id"].string } == [insurer, agencyA, provider])

            // Move Provider (with its Depot) from Agency A to Agency B.
            let moved = try await api.patch("/v1/organizations/\(provider)", #"{"parent_id":"\#(agencyB)"}"#)
            #expect(moved.status == .ok)
            #expect(moved.json["parent_id"].string == agencyB)
            let depotAncestors = try await api.get("/v1/organizations/\(crewBase)/ancestors")
            #expect(depotAncestors.json["data"].array.compactMap { $0["id"].string } == [insurer, agencyB, provider])
            #expect(try await api.get("/v1/organizations/\(agencyA)/subtree").json["data"].array.isEmpty)

            // Moving Agency B under its own descendant would make a cycle.
            let cycle = try await api.patch("/v1/organizations/\(agencyB)", #"{"parent_id":"\#(crewBase)"}"#)
            #expect(cycle.status == .unprocessableContent)
            #expect(cycle.json["error"]["code"].string == "hierarchy_cycle")
            #expect(cycle.json["error"]["field"].string == "parent_id")

            // parent_id null makes a root.
            let root = try await api.patch("/v1/organizations/\(provider)", #"{"parent_id":null}"#)
            #expect(root.json["depth"].int == 0)
            #expect(try await api.get("/v1/organizations/\(crewBase)/ancestors").json["data"].array.compactMap { $0["id"].string } == [provider])

            // An organization with children cannot be deleted; a leaf can.
            let busy = try await api.delete("/v1/organizations/\(provider)")
            #expect(busy.status == .conflict)
            #expect(try await api.delete("/v1/organizations/\(crewBase)").status == .noContent)
            #expect(try await api.get("/v1/organizations/\(crewBase)").status == .notFound)
        }
    }

    @Test("horizontal relations are symmetric")
    func relations() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let a = try #require(try await api.post("/v1/organizations", #"{"kind":"partner","name":"A"}"#).json["id"].string)
            let b = try #require(try await api.post("/v1/organizations", #"{"kind":"partner","name":"B"}"#).json["id"].string)
            let link = try await api.post("/v1/organizations/\(a)/relations", #"{"peer_id":"\#(b)","kind":"logistics"}"#)
            #expect(link.status == .created)
            let fromB = try await api.get("/v1/organizations/\(b)/relations")
            #expect(fromB.json["data"][0]["peer_id"].string == a)
            #expect(fromB.json["data"][0]["kind"].string == "logistics")
            let selfLink = try await api.post("/v1/organizations/\(a)/relations", #"{"peer_id":"\#(a)"}"#)
            #expect(selfLink.status == .unprocessableContent)
            #expect(try await api.delete("/v1/organizations/\(b)/relations/\(a)").status == .noContent)
            #expect(try await api.get("/v1/organizations/\(a)/relations").json["data"].array.isEmpty)
            #expect(try await api.delete("/v1/organizations/\(b)/relations/\(a)").status == .notFound)
        }
    }

    @Test("bad input is a 4xx naming the field, never a 500")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let cases: [(String, Int, String, String?)] = [
                ("{not json", 400, "invalid_json", nil),
                ("[1,2]", 400, "invalid_json", nil),
                (#"{"kind":"company"}"#, 422, "missing_field", "name"),
                (#"{"kind":"bank","name":"X"}"#, 422, "invalid_field", "kind"),
                (#"{"kind":"company","name":""}"#, 422, "invalid_field", "name"),
                (#"{"kind":"company","name":42}"#, 422, "wrong_type", "name"),
                (#"{"kind":"company","name":"X","colour":"red"}"#, 422, "unknown_field", "colour"),
                (#"{"kind":"company","name":"X","parent_id":"nope"}"#, 422, "invalid_field", "parent_id"),
                (#"{"kind":"company","name":"X","parent_id":"\#(UUID())"}"#, 422, "unknown_reference", "parent_id"),
                (#"{"kind":"company","name":"X","tags":["bad tag!"]}"#, 422, "invalid_field", "tags"),
            ]
            for (body, status, code, field) in cases {
                let response = try await api.post("/v1/organizations", body)
                #expect(response.status.code == status, "\(body)")
                #expect(response.json["error"]["code"].string == code, "\(body)")
                #expect(response.json["error"]["field"].string == field, "\(body)")
            }
            #expect(try await api.get("/v1/organizations?limit=0").status == .badRequest)
            #expect(try await api.get("/v1/organizations?limit=abc").json["error"]["field"].string == "limit")
            #expect(try await api.get("/v1/organizations?cursor=garbage").status == .badRequest)
            #expect(try await api.get("/v1/organizations?kind=bank").status == .badRequest)
            #expect(try await api.get("/v1/organizations?updated_since=yesterday").status == .badRequest)
            #expect(try await api.get("/v1/organizations/not-a-uuid").status == .notFound)
            #expect(try await api.get("/v1/organizations/\(UUID())").status == .notFound)
            #expect(try await api.patch("/v1/organizations/\(UUID())", #"{"name":"X"}"#).status == .notFound)
            let wrongType = try await api.send(.post, "/v1/organizations", "kind=company", headers: [.contentType: "text/plain"])
            #expect(wrongType.status == .unsupportedMediaType)
        }
    }
}
