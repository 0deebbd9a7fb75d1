import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Issue 15's isolation matrix. The routes come from the served OpenAPI document (which
/// `OpenAPITests` keeps equal to the router), so a new route is in the matrix the day it is
/// documented: it fails here until it has a call in `CrossTenantTests.calls` and a row below.
@Suite("Tenant and role isolation matrix")
struct IsolationMatrixTests {
    /// What an organization-scoped supervisor gets for a resource outside their subtree, by the
    /// route's first segment. Conversation data (and the jobs, proofs and media of it) is scoped
    /// by the member's organization; network data, users and teams are seen by every supervisor
    /// (docs/tenancy.md); the rest is the admin's alone. An offer follows its job.
    enum SupervisorView { case hidden, network, adminOnly }
    static let supervisorViews: [String: SupervisorView] = [
        "conversations": .hidden, "jobs": .hidden, "proofs": .hidden, "media": .hidden, "offers": .hidden,
        "organizations": .network, "members": .network, "crews": .network, "service-areas": .network,
        "channels": .network, "users": .network, "teams": .network, "routing": .network,
        // Flows are the tenant's bot configuration, like routing: not conversation data of a subtree.
        "flows": .network,
        // A flow run is conversation data: seen by whoever sees its conversation.
        "flow-runs": .hidden,
        "api-keys": .adminOnly, "adapters": .adminOnly, "webhook-endpoints": .adminOnly,
    ]

    /// Every key a tenant can hold, so a 404 is the tenant boundary and not a missing scope.
    /// Taken from `APIKeyScope.all`, so a scope added later is in the matrix at once.
    static let allScopes = "[" + APIKeyScope.all.map { #""\#($0.rawValue)""# }.joined(separator: ",") + "]"

    /// The served document.
    static func document(_ client: any TestClientProtocol) async throws -> String {
        try await APICaller(client, token: nil).get("/openapi.yaml").text
    }

    /// `METHOD /template` of every documented operation whose path takes an id, except those
    /// that carry no tenant credential and so have no other tenant to keep out: provider
    /// webhooks and the sandbox phone's routes (the adapter id in the URL and the provider's
    /// signature or the adapter's secret decide; WebhookTests, SandboxPhoneTests), and a signed
    /// media link, which is its own credential naming its tenant under our signature
    /// (MediaLinkTests shows a tampered or expired link is refused).
    static func idRoutes(_ yaml: String) -> [String] {
        OpenAPITests.documentedOperations(yaml)
            .filter { $0.contains("{") && !$0.contains(" /v1/hooks/") && !$0.contains(" /v1/sandbox/") && !$0.contains(" /v1/media-links/") }
            .sorted()
    }

    /// The query parameters of each documented `GET` list (a path without an id) that name
    /// another resource: `path -> [parameter]`.
    static func listFilters(_ yaml: String) -> [String: [String]] {
        var filters: [String: [String]] = [:]
        var path: String?
        var inGet = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                let candidate = String(line.dropFirst(2).dropLast())
                path = candidate.contains("{") ? nil : candidate
                inGet = false
            } else if line.hasPrefix("    "), !line.hasPrefix("     ") {
                inGet = line == "    get:"
            } else if let path, inGet, line.hasPrefix("        - name: ") {
                let name = String(line.dropFirst("        - name: ".count))
                if name.hasSuffix("_id") || name.hasSuffix("_ids") { filters[path, default: []].append(name) }
            } else if !line.hasPrefix(" "), !line.isEmpty {
                path = nil
            }
        }
        return filters
    }

    @Test("every id route of the document is 404 for another tenant's admin and API key")
    func crossTenant() async throws {
        try await TestApp.run { client, fixtures in
            let world = try await CrossTenantTests.world(client, fixtures)
            let intruderAdmin = APICaller(client, try await fixtures.tenant("intruder"))
            let everything = try #require(try await intruderAdmin.post(
                "/v1/api-keys", #"{"name":"Everything","scopes":\#(Self.allScopes)}"#).json["key"].string)
            let intruderKey = APICaller(client, token: everything)
            let intruderPeer = try #require(try await intruderAdmin.post("/v1/organizations", #"{"kind":"partner","name":"Mine"}"#).json["id"].string)
            let routes = Self.idRoutes(try await Self.document(client))
            let calls = Dictionary(uniqueKeysWithValues: CrossTenantTests.calls(["peer": intruderPeer]).map { ("\($0.method) \($0.template)", $0) })
            #expect(routes.count >= 60)
            #expect(routes.filter { calls[$0] == nil } == [], "documented id routes without a call in CrossTenantTests.calls")
            for route in routes {
                guard let call = calls[route] else { continue }
                let path = CrossTenantTests.fill(call.template, world.values)
                for (who, caller) in [("admin", intruderAdmin), ("API key", intruderKey)] {
                    let response = try await caller.send(.init(call.method)!, path, call.body ?? (call.method == "PUT" ? "{}" : nil))
                    // A key is refused what only admins may do before any id is looked at: that says nothing about the owner.
                    let refusedForScope = who == "API key" && response.status == .forbidden && Self.supervisorViews[String(call.template.split(separator: "/")[1])] == .adminOnly
                    #expect(response.status == .notFound || refusedForScope, "\(route) by the other tenant's \(who) answered \(response.status.code)")
                }
            }
            #expect(try await world.owner.get("/v1/conversations/\(world.conversation)/messages").json["data"].array.count == 2)
            #expect(try await world.owner.get("/v1/jobs/\(world.job)").json["title"].string == "Tow")
            #expect(try await world.owner.get("/v1/jobs/\(world.offeredJob)/offers").json["data"][0]["status"].string == "sent")
        }
    }

    @Test("list filters and search naming another tenant's ids or words return nothing")
    func crossTenantLists() async throws {
        try await TestApp.run { client, fixtures in
            let world = try await CrossTenantTests.world(client, fixtures)
            let intruderAdmin = APICaller(client, try await fixtures.tenant("intruder"))
            let everything = try #require(try await intruderAdmin.post(
                "/v1/api-keys", #"{"name":"Everything","scopes":\#(Self.allScopes)}"#).json["key"].string)
            let intruderKey = APICaller(client, token: everything)
            // A resource of the intruder's own, so an empty page is not simply an empty tenant.
            _ = try await intruderAdmin.post("/v1/members", #"{"name":"Mine","identities":[{"kind":"whatsapp","external_id":"+34600000002"}]}"#)
            let ownerValue: [String: String] = [
                "parent_id": world.org, "organization_id": world.org, "crew_id": world.values["crews"]!["id"]!,
                "external_id": "+34600000001", "conversation_id": world.photoConversation, "job_id": world.job,
                "member_id": world.memberID, "flow_id": world.values["flows"]!["id"]!,
            ]
            let filters = Self.listFilters(try await Self.document(client))
            #expect(filters.values.flatMap { $0 }.count >= 8)
            for (path, names) in filters.sorted(by: { $0.key < $1.key }) {
                for name in names {
                    let value = try #require(ownerValue[name], "no owner's value for \(path)?\(name): add one")
                    for (who, caller) in [("admin", intruderAdmin), ("API key", intruderKey)] {
                        let response = try await caller.get("\(path)?\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                        // Empty, or refused as an unknown id: never the owner's rows.
                        let leaked = response.status == .ok && !response.json["data"].array.isEmpty
                        #expect(!leaked && response.status.code < 500, "\(path)?\(name) by the other tenant's \(who): \(response.status.code) \(response.text.prefix(200))")
                    }
                }
            }
            // Lists without an id filter that name the owner's things another way: the case
            // timeline by order number, the event feed, the dispatch analytics, the endpoints.
            // (The owner sees them there, so an empty answer to the other tenant means something.)
            let ownerPeriod = "from=\(RFC3339.format(Date().addingTimeInterval(-300 * 86_400)))&to=\(RFC3339.format(Date().addingTimeInterval(86_400)))"
            #expect(try await world.owner.get("/v1/jobs/timeline?order_number=OW-1").status == .ok)
            // The feed holds events behind any write transaction still open in the database (a
            // parallel test may hold one on purpose, or insert 50,000 jobs in one statement,
            // docs/events.md), so the owner waits for it, long enough for a loaded machine.
            #expect(try await eventually(seconds: 120) { try await world.owner.get("/v1/events").text.contains(world.job.lowercased()) })
            #expect(try await world.owner.get("/v1/analytics/dispatch/jobs?\(ownerPeriod)").text.contains("OW-2"))
            #expect(try await world.owner.get("/v1/webhook-endpoints").text.contains(world.endpoint.lowercased()))
            for (who, caller) in [("admin", intruderAdmin), ("API key", intruderKey)] {
                let timeline = try await caller.get("/v1/jobs/timeline?order_number=OW-1")
                #expect(timeline.status == .notFound, "the case timeline of the owner's order number by the other tenant's \(who): \(timeline.status.code)")
                let period = "from=\(RFC3339.format(Date().addingTimeInterval(-300 * 86_400)))&to=\(RFC3339.format(Date().addingTimeInterval(86_400)))"
                for path in ["/v1/events", "/v1/analytics/dispatch/jobs?\(period)", "/v1/analytics/dispatch/subcontractors?\(period)", "/v1/webhook-endpoints"] {
                    let response = try await caller.get(path)
                    #expect(response.status == .ok, "\(path) by the other tenant's \(who): \(response.status.code)")
                    for secret in [world.job, world.offeredJob, world.conversation, world.org, world.endpoint, "Owner Tow", "OW-1", "OW-2"] {
                        #expect(!response.text.lowercased().contains(secret.lowercased()), "\(path) by the other tenant's \(who) shows \(secret)")
                    }
                }
            }
            for query in ["hola", "Owner", "Crew", "Tow"] {
                for caller in [intruderAdmin, intruderKey] {
                    let response = try await caller.get("/v1/search?q=\(query)")
                    #expect(response.status == .ok)
                    #expect(!response.text.contains(world.conversation) && !response.text.contains(world.memberID), "search \(query)")
                }
            }
        }
    }

    @Test("another tenant's streams, by token and by API key, never carry this tenant's events")
    func crossTenantStream() async throws {
        try await TestApp.runLive { client, fixtures in
            let owner = try await StreamTests.desk(client, fixtures)
            let other = try await StreamTests.desk(client, fixtures, tenant: "globex")
            let key = try #require(try await other.admin.post(
                "/v1/api-keys", #"{"name":"Feed","scopes":["conversations:read"]}"#).json["key"].string)
            for token in [other.fixture.token, key] {
                try await withStream(client, token: token) { inbox, _ in
                    let conversation = try await owner.send("o-\(UUID())", "Solo para Acme")
                    _ = try await owner.admin.post("/v1/conversations/\(conversation)/notes", #"{"text":"secreto"}"#)
                    _ = try await owner.admin.put("/v1/conversations/\(conversation)/tags/vip", "")
                    _ = try await owner.admin.post("/v1/conversations/\(conversation)/close", "{}")
                    // Events arrive in order: a first event that is the other tenant's own proves
                    // none of the owner's came before it.
                    let mine = try await other.send("g-\(UUID())", "Hola desde Globex")
                    let events = try await inbox.events(1)
                    #expect(events.map { $0["conversation_id"].string } == [mine])
                    #expect(!events.description.contains("secreto") && !events.description.contains("Solo para Acme"))
                }
            }
        }
    }

    @Test("an organization-scoped supervisor gets 404 for conversation data outside the subtree on every id route, and empty lists")
    func supervisorOutsideSubtree() async throws {
        try await TestApp.run { client, fixtures in
            let world = try await CrossTenantTests.world(client, fixtures)
            let tenant = try #require(try await fixtures.provisioning.tenant(slug: "owner"))
            // Scoped to the peer organization: the member, its conversations, job and proof are outside.
            let scoped = try await fixtures.user(in: tenant, role: .supervisor)
            #expect(try await world.owner.patch("/v1/users/\(scoped.userID)", #"{"organization_id":"\#(world.peer)"}"#).status == .ok)
            let supervisor = APICaller(client, scoped)
            let routes = Self.idRoutes(try await Self.document(client))
            let calls = Dictionary(uniqueKeysWithValues: CrossTenantTests.calls(["peer": world.org]).map { ("\($0.method) \($0.template)", $0) })
            var hidden = 0
            for route in routes {
                let resource = String(route.split(separator: " ")[1].split(separator: "/")[1])
                let view = try #require(Self.supervisorViews[resource], "\(route): say what a scoped supervisor sees of \(resource)")
                guard let call = calls[route] else { continue }  // `crossTenant` reports it
                // Supervisors may change network data: only read it, so the world stays whole.
                if view == .network && call.method != "GET" { continue }
                let path = CrossTenantTests.fill(call.template, world.values)
                let response = try await supervisor.send(.init(call.method)!, path, call.body ?? (call.method == "PUT" ? "{}" : nil))
                switch view {
                case .hidden:
                    hidden += 1
                    #expect(response.status == .notFound, "\(route) by a supervisor outside the subtree answered \(response.status.code)")
                case .adminOnly:
                    #expect(response.status == .forbidden, "\(route) by a supervisor answered \(response.status.code)")
                case .network:
                    #expect(response.status.code < 500, "\(route) answered \(response.status.code)")
                }
                // Whatever the answer, nothing of the hidden conversations, job or proof is in it.
                for secret in [world.conversation, world.photoConversation, world.job, world.proof, world.media, "hola"] {
                    #expect(!response.text.contains(secret), "\(route) by a supervisor outside the subtree shows \(secret)")
                }
            }
            #expect(hidden >= 20)
            // The photo's conversation (the job's) as well as the app one.
            for id in [world.conversation, world.photoConversation] {
                #expect(try await supervisor.get("/v1/conversations/\(id)").status == .notFound)
                #expect(try await supervisor.get("/v1/conversations/\(id)/messages").status == .notFound)
            }
            // Lists, the timeline and search show none of it.
            let timeline = try await supervisor.get("/v1/members/\(world.memberID)/timeline")
            #expect(timeline.status == .ok)
            #expect(timeline.json["data"].array.isEmpty)
            for path in ["/v1/conversations", "/v1/jobs", "/v1/proofs", "/v1/jobs?organization_id=\(world.org)",
                         "/v1/conversations?member_id=\(world.memberID)", "/v1/proofs?job_id=\(world.job)"] {
                let response = try await supervisor.get(path)
                #expect(response.status == .ok && response.json["data"].array.isEmpty, "\(path): \(response.text.prefix(200))")
            }
            let search = try await supervisor.get("/v1/search?q=hola")
            #expect(search.status == .ok)
            #expect(!search.text.contains(world.conversation), "search shows a conversation outside the subtree")
            // The owner's data is untouched by the supervisor's writes.
            #expect(try await world.owner.get("/v1/conversations/\(world.conversation)/messages").json["data"].array.count == 2)
            #expect(try await world.owner.get("/v1/jobs/\(world.job)").json["title"].string == "Tow")
            #expect(try await world.owner.get("/v1/jobs/\(world.offeredJob)/offers").json["data"][0]["status"].string == "sent")
        }
    }
}
