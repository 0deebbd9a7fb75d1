import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Webhook endpoints and deliveries (Standard Webhooks)")
struct WebhookDeliveryTests {
    /// Fast retries and a short timeout, so the tests run in seconds.
    static func configure(_ config: inout AppConfig) {
        config.webhooks.retrySchedule = Array(repeating: .milliseconds(300), count: 6)
        config.webhooks.timeout = .seconds(2)
        config.outboxPollInterval = .milliseconds(50)
    }

    /// Lets the tenant reach loopback receivers (its development mode).
    static func developmentMode(_ fixtures: Fixtures, _ tenantID: UUID, _ on: Bool = true) async throws {
        try await fixtures.database.client.query(
            "UPDATE tenants SET development_mode = \(on) WHERE id = \(tenantID)", logger: fixtures.database.logger)
    }

    /// Registers an endpoint for `types` at `url`; returns its id and secret.
    static func endpoint(_ admin: APICaller, _ url: String, _ types: String = #"["job.*","proof.*"]"#) async throws -> (id: String, secret: String) {
        let made = try await admin.post("/v1/webhook-endpoints", #"{"url":"\#(url)","event_types":\#(types)}"#)
        #expect(made.status == .created, "\(made.text)")
        return (try #require(made.json["id"].string), try #require(made.json["secret"].string))
    }

    @Test("a job assigned and completed and a proof recorded and accepted reach the receiver signed, verified by the standardwebhooks library, in the feed's order")
    func endToEnd() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestApp.run(configure: Self.configure) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                try await Self.developmentMode(fixtures, fixture.tenant.id)
                let network = try await JobNetwork.make(admin)
                let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["webhooks:manage","events:read"]}"#).json["key"].string)
                let erp = APICaller(client, token: key)
                let (endpointID, secret) = try await Self.endpoint(erp, receiver.url("/ok"))
                #expect(secret.hasPrefix("whsec_"))
                #expect(try await erp.get("/v1/webhook-endpoints/\(endpointID)").json.has("secret") == false)
                try await receiver.secrets(["/ok": secret])

                let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"Tow"}"#).json["id"].string)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)"}"#).status == .ok)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#).status == .ok)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"completed"}"#).status == .ok)
                let proof = try #require(try await admin.post("/v1/jobs/\(job)/proofs", #"{"latitude":40.4,"longitude":-3.7}"#).json["id"].string)
                #expect(try await admin.post("/v1/proofs/\(proof)/review", #"{"decision":"accepted"}"#).status == .ok)

                let log = try await receiver.log { $0.count >= 6 }
                // In order per resource (different resources may overtake each other).
                #expect(log.map(\.body.type).filter { $0.hasPrefix("job.") } == ["job.created", "job.assigned", "job.started", "job.completed"])
                #expect(log.map(\.body.type).filter { $0.hasPrefix("proof.") } == ["proof.created", "proof.reviewed"])
                #expect(log.allSatisfy { $0.verified }, "\(log.compactMap(\.error))")
                #expect(log.allSatisfy { $0.webhookId == $0.body.id })
                // The feed has the same events in the same order.
                let feed = try await EventsTests.all(erp, count: 6, types: "job.*,proof.*")
                #expect(Set(feed.compactMap { $0["id"].string }) == Set(log.map(\.body.id)))
                #expect(Set(feed.compactMap { $0["cursor"].string }) == Set(log.map(\.body.cursor)))

                let deliveries = try await erp.get("/v1/webhook-endpoints/\(endpointID)/deliveries")
                #expect(deliveries.json["data"].array.count == 6)
                let first = deliveries.json["data"][0]
                #expect(first["status"].string == "succeeded")
                #expect(first["attempts"][0]["status_code"].int == 200)
                #expect(first["attempts"][0]["response_snippet"].string == #"{"received": true}"#)
                #expect(first["attempts"][0]["latency_ms"].int != nil)

                // Rotation: the old secret keeps verifying for the grace period; deliveries carry both.
                let rotated = try await erp.post("/v1/webhook-endpoints/\(endpointID)/rotate-secret", #"{"grace_seconds":3600}"#)
                let newSecret = try #require(rotated.json["secret"].string)
                #expect(newSecret != secret)
                #expect(rotated.json["previous_secret_expires_at"].string != nil)
                let resent = try await erp.post("/v1/webhook-endpoints/\(endpointID)/events/\(log[0].body.id)/resend", "{}")
                #expect(resent.status == .created)
                #expect(resent.json["resend"].bool == true)
                let again = try await receiver.log { $0.count >= 7 }
                #expect(again.last?.webhookId == log[0].webhookId)
                #expect(again.last?.verified == true)
                #expect(again.last?.signatures.split(separator: " ").count == 2)
                try await receiver.secrets(["/ok": newSecret])
                _ = try await erp.post("/v1/webhook-endpoints/\(endpointID)/events/\(log[1].body.id)/resend", "{}")
                #expect(try await receiver.log { $0.count >= 8 }.last?.verified == true)

                // Other tenants and other scopes see none of it.
                let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
                #expect(try await agent.get("/v1/webhook-endpoints").status == .forbidden)
                let other = APICaller(client, try await fixtures.tenant("globex"))
                #expect(try await other.get("/v1/webhook-endpoints/\(endpointID)").status == .notFound)
                #expect(try await erp.get("/v1/webhook-endpoints").json["data"].array.count == 1)
                #expect(try await erp.send(.delete, "/v1/webhook-endpoints/\(endpointID)").status == .noContent)
                #expect(try await erp.get("/v1/webhook-endpoints/\(endpointID)").status == .notFound)
            }
        }
    }

    /// For each webhook id, the seconds between its successive arrivals.
    static func gaps(_ entries: [WebhookReceiver.Entry]) -> [[Double]] {
        let byID = Dictionary(grouping: entries, by: \.webhookId)
        return byID.values.map { arrivals in
            let times = arrivals.map(\.at).sorted()
            return zip(times.dropFirst(), times).map { $0 - $1 }
        }
    }

    @Test("a receiver failing 3 times and then succeeding acknowledges each event exactly once; Retry-After is honoured")
    func retries() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestApp.run(configure: Self.configure) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                try await Self.developmentMode(fixtures, fixture.tenant.id)
                let flaky = try await Self.endpoint(admin, receiver.url("/flaky"))
                let slow = try await Self.endpoint(admin, receiver.url("/slow-retry"))
                try await receiver.secrets(["/flaky": flaky.secret, "/slow-retry": slow.secret])
                for number in 1...3 {
                    _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-\#(number)","title":"Tow"}"#)
                }
                let log = try await receiver.log { entries in entries.filter { $0.path == "/flaky" && $0.answered == 200 }.count >= 3 }
                let acknowledged = log.filter { $0.path == "/flaky" && $0.answered == 200 }.map(\.webhookId)
                #expect(acknowledged.count == 3)
                #expect(Set(acknowledged).count == 3)
                #expect(log.filter { $0.path == "/flaky" }.count == 12)
                #expect(log.allSatisfy { $0.verified })
                // Nothing more comes once each is acknowledged.
                try await Task.sleep(for: .seconds(1))
                #expect(try await receiver.log().filter { $0.path == "/flaky" }.count == 12)
                let deliveries = try await admin.get("/v1/webhook-endpoints/\(flaky.id)/deliveries").json["data"].array
                #expect(deliveries.map { $0["status"].string } == ["succeeded", "succeeded", "succeeded"])
                #expect(deliveries.map { $0["attempts"].array.map { $0["status_code"].int } } == Array(repeating: [500, 500, 500, 200], count: 3))
                #expect(try await admin.get("/v1/webhook-endpoints/\(flaky.id)").json["failing_since"].isNull)

                // 503 with Retry-After: 1 waits a second, not the 0.3 s of the schedule.
                let slowLog = try await receiver.log { $0.filter { $0.path == "/slow-retry" && $0.answered == 200 }.count >= 3 }
                let retried = Self.gaps(slowLog.filter { $0.path == "/slow-retry" })
                #expect(retried.count == 3)
                #expect(retried.allSatisfy { $0.count == 1 && $0[0] >= 0.95 }, "\(retried)")
            }
        }
    }

    @Test("a hanging receiver does not delay another endpoint; 410 disables, 3xx is a failure, long failure disables with its reason; re-enabling resumes")
    func isolationAndDisabling() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestApp.run(configure: { config in
                Self.configure(&config)
                config.webhooks.disableAfter = .milliseconds(500)
                // Long enough that /ok arriving before it ends cannot be a loaded machine's luck.
                config.webhooks.timeout = .seconds(6)
            }) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                try await Self.developmentMode(fixtures, fixture.tenant.id)
                let hang = try await Self.endpoint(admin, receiver.url("/hang"))
                let ok = try await Self.endpoint(admin, receiver.url("/ok"))
                let gone = try await Self.endpoint(admin, receiver.url("/gone"))
                let redirect = try await Self.endpoint(admin, receiver.url("/redirect"))
                try await receiver.secrets(["/hang": hang.secret, "/ok": ok.secret, "/gone": gone.secret, "/redirect": redirect.secret])
                let start = Date().timeIntervalSince1970
                _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"Tow"}"#)
                let first = try await receiver.log { $0.contains { $0.path == "/ok" } }
                let arrived = try #require(first.first { $0.path == "/ok" }).at
                #expect(arrived - start < 5, "the /ok endpoint waited for the hanging one")

                // 410: disabled at once, with the reason.
                var goneEndpoint = try await admin.get("/v1/webhook-endpoints/\(gone.id)").json
                for _ in 0..<50 where goneEndpoint["enabled"].bool != false {
                    try await Task.sleep(for: .milliseconds(100))
                    goneEndpoint = try await admin.get("/v1/webhook-endpoints/\(gone.id)").json
                }
                #expect(goneEndpoint["enabled"].bool == false)
                #expect(goneEndpoint["disabled_reason"].string == "the endpoint answered 410 Gone")
                // 3xx: a failure, not followed; failing past disable_after disables with the last error.
                var redirected = try await admin.get("/v1/webhook-endpoints/\(redirect.id)").json
                for _ in 0..<100 where redirected["enabled"].bool != false {
                    try await Task.sleep(for: .milliseconds(100))
                    redirected = try await admin.get("/v1/webhook-endpoints/\(redirect.id)").json
                }
                #expect(redirected["enabled"].bool == false)
                #expect(redirected["disabled_reason"].string?.contains("redirects are not followed (302 to /ok)") == true)
                #expect(try await receiver.log().filter { $0.path == "/ok" }.count == 1, "the redirect was followed")
                let attempts = try await admin.get("/v1/webhook-endpoints/\(redirect.id)/deliveries").json["data"][0]["attempts"].array
                #expect(attempts.first?["status_code"].int == 302)
                // The hanging endpoint's attempt ends at the timeout, recorded as such.
                var hung = try await admin.get("/v1/webhook-endpoints/\(hang.id)/deliveries").json["data"][0]
                for _ in 0..<100 where hung["attempts"].array.isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    hung = try await admin.get("/v1/webhook-endpoints/\(hang.id)/deliveries").json["data"][0]
                }
                #expect(hung["attempts"][0]["error"].string?.hasPrefix("no answer within") == true)
                #expect((hung["attempts"][0]["latency_ms"].int ?? 0) >= 5900)

                // Re-enabled, its waiting delivery goes (and is refused again by the receiver).
                let before = try await receiver.log().filter { $0.path == "/gone" }.count
                let enabled = try await admin.patch("/v1/webhook-endpoints/\(gone.id)", #"{"enabled":true}"#)
                #expect(enabled.json["enabled"].bool == true)
                #expect(enabled.json["disabled_reason"].isNull)
                #expect(try await receiver.log { $0.filter { $0.path == "/gone" }.count > before }.filter { $0.path == "/gone" }.count == before + 1)
            }
        }
    }

    @Test("the outbound guard refuses names resolving to private addresses unless the tenant is in development mode, at registration and at delivery")
    func outboundGuard() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestApp.run(configure: Self.configure) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                for url in [receiver.url("/ok"), "http://127.0.0.1:\(receiver.port)/ok", "http://[::1]/x", "http://10.1.2.3/x",
                            "http://169.254.169.254/latest/meta-data", "http://[::ffff:10.0.0.1]/x", "http://0.0.0.0/x", "ftp://example.com/x"] {
                    let refused = try await admin.post("/v1/webhook-endpoints", #"{"url":"\#(url)","event_types":["job.created"]}"#)
                    #expect(refused.status == .unprocessableContent, "\(url)")
                    #expect(refused.json["error"]["field"].string == "url", "\(url)")
                }
                #expect(try await admin.post("/v1/webhook-endpoints", #"{"url":"\#(receiver.url("/ok"))","event_types":["job.created"]}"#)
                    .json["error"]["message"].string?.contains("loopback") == true)
                #expect(try await admin.post("/v1/webhook-endpoints", #"{"url":"https://example.com/x","event_types":["job.nope"]}"#)
                    .json["error"]["field"].string == "event_types")
                // Registered in development mode, then refused at delivery once it is off: the
                // check is made on the address connected to, each time.
                try await Self.developmentMode(fixtures, fixture.tenant.id)
                let endpoint = try await Self.endpoint(admin, receiver.url("/ok"), #"["job.created"]"#)
                try await Self.developmentMode(fixtures, fixture.tenant.id, false)
                _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"Tow"}"#)
                var delivery = try await admin.get("/v1/webhook-endpoints/\(endpoint.id)/deliveries").json["data"][0]
                for _ in 0..<50 where delivery["attempts"].array.isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    delivery = try await admin.get("/v1/webhook-endpoints/\(endpoint.id)/deliveries").json["data"][0]
                }
                #expect(delivery["attempts"][0]["error"].string?.hasPrefix("refused: localhost resolves to a refused address") == true)
                #expect(try await receiver.log().isEmpty)
            }
        }
    }
}
