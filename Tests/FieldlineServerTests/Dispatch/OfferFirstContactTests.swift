import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch offers to members who never wrote (first contact): the tenant's adapter for their identity, within each provider's rules")
struct OfferFirstContactTests {
    typealias Support = BroadcastTestSupport

    /// A subcontractor covering the site with one member known only by `identities` (JSON
    /// objects), who never wrote; returns the organization's and the member's ids.
    static func neverWrote(_ admin: APICaller, _ name: String, identities: String) async throws -> (org: String, member: String) {
        let org = try await Support.subcontractor(admin, name)
        let created = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"\#(name) crew","identities":[\#(identities)]}"#)
        #expect(created.status == .created, "\(created.text)")
        return (org, try #require(created.json["id"].string))
    }

    @Test("WhatsApp, a member who never wrote: the offer goes out as the approved template through the tenant's adapter, and the template's button accepts it")
    func whatsAppTemplate() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(
                    admin, "whatsapp", extraConfig: #""offer_template":"job_offer","offer_template_language":"es""#)
                let a = try await Self.neverWrote(admin, "Tow New", identities: #"{"kind":"whatsapp","external_id":"+34613000101"}"#)
                let job = try await Support.job(admin, "PO-FIRST")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                let offerID = try #require(try await Support.offers(admin, job)[a.org]?["id"].string).lowercased()

                #expect(try await eventually { await log.requests.count == 1 })
                let request = try #require(await log.requests.first)
                #expect(request.path.hasSuffix("/106540352242922/messages"), "\(request.path)")
                let body = try ProviderTestSupport.body(request)
                #expect(body["type"] as? String == "template", "a first contact is business-initiated: only a template may open it: \(body)")
                #expect(body["to"] as? String == "+34613000101" || body["to"] as? String == "34613000101")
                let template = try #require(body["template"] as? [String: Any])
                #expect(template["name"] as? String == "job_offer")
                let components = try #require(template["components"] as? [[String: Any]])
                let parameters = (components.first { $0["type"] as? String == "body" }?["parameters"] as? [[String: String]]) ?? []
                #expect(parameters.map { $0["text"] } == ["PO-FIRST", "Tow a van", "Gran Vía 1, Madrid", "-"])
                let payloads = components.filter { $0["type"] as? String == "button" }
                    .map { (($0["parameters"] as? [[String: String]])?.first ?? [:])["payload"] }
                #expect(payloads == ["offer:\(offerID):accept", "offer:\(offerID):decline"])
                #expect(try await eventually {
                    try await Support.offers(admin, job)[a.org]?["recipients"][0]["delivery_status"].string == "sent"
                })

                // Their first message ever is the press of the template's Accept button.
                let press = #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Crew"},"wa_id":"34613000101"}],"messages":[{"from":"34613000101","id":"wamid.FIRSTPRESS","timestamp":"1750091045","type":"button","button":{"payload":"offer:\#(offerID):accept","text":"Aceptar"}}]},"field":"messages"}]}]}"#
                #expect(try await WebhookTests.postSigned(client, hook, press).status == .ok)
                let assigned = try await admin.get("/v1/jobs/\(job)").json
                #expect(assigned["status"].string == "assigned")
                #expect(assigned["organization_id"].string == a.org)
                #expect(try await Support.systemTexts(fixtures, fixture.tenant.id, member: a.member).contains(OfferText.acceptedWithDone(orderNumber: "PO-FIRST")))
            }
        }
    }

    @Test("never wrote, other providers: SMS sends the numbered offer; WhatsApp without a template and Messenger refuse it; an identity no adapter serves fails; the app gets it; each failure says why on the offer")
    func eachProvidersRules() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                _ = try await ProviderTestSupport.adapter(admin, "whatsapp")
                _ = try await ProviderTestSupport.adapter(admin, "sms")
                _ = try await ProviderTestSupport.adapter(admin, "messenger", extraConfig: #""human_agent_tag":"true""#)
                let wa = try await Self.neverWrote(admin, "Tow WA", identities: #"{"kind":"whatsapp","external_id":"+34613000201"}"#)
                let sms = try await Self.neverWrote(admin, "Tow SMS", identities: #"{"kind":"sms","external_id":"+34613000202"}"#)
                let fb = try await Self.neverWrote(admin, "Tow FB", identities: #"{"kind":"messenger","external_id":"7000000000000203"}"#)
                let tg = try await Self.neverWrote(admin, "Tow TG", identities: #"{"kind":"telegram","external_id":"7000204"}"#)
                // The first identity an adapter serves is used: here the app (Telegram has no adapter in this tenant).
                let app = try await Self.neverWrote(
                    admin, "Tow App", identities: #"{"kind":"telegram","external_id":"7000205"},{"kind":"app","external_id":"crew-205"}"#)
                let job = try await Support.job(admin, "PO-RULES")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)

                @Sendable func recipient(_ org: String) async throws -> JSON? { try await Support.offers(admin, job)[org]?["recipients"][0] }
                #expect(try await eventually {
                    var settled = true
                    for org in [wa.org, sms.org, fb.org, tg.org, app.org] {
                        let status = try await recipient(org)?["delivery_status"].string
                        settled = settled && (status == "sent" || status == "failed")
                    }
                    return settled
                })
                #expect(try await recipient(sms.org)?["delivery_status"].string == "sent")
                #expect(try await recipient(app.org)?["delivery_status"].string == "sent")
                let waReason = try await recipient(wa.org)?["delivery_error"].string ?? ""
                #expect(try await recipient(wa.org)?["delivery_status"].string == "failed")
                #expect(waReason.contains("whatsapp service window closed: the member has never written"), "\(waReason)")
                #expect(waReason.contains("config.offer_template"), "\(waReason)")
                let fbReason = try await recipient(fb.org)?["delivery_error"].string ?? ""
                #expect(try await recipient(fb.org)?["delivery_status"].string == "failed")
                #expect(fbReason.contains("messenger service window closed: the member has never written"), "\(fbReason)")
                #expect(fbReason.contains("no message tag for a job offer"), "\(fbReason)")
                let tgReason = try await recipient(tg.org)?["delivery_error"].string ?? ""
                #expect(try await recipient(tg.org)?["delivery_status"].string == "failed")
                #expect(tgReason.contains("no enabled adapter for any of their identities (telegram)"), "\(tgReason)")

                // Only the SMS went to a provider: the numbered text, to the member's number, from the tenant's SMS adapter.
                try await Task.sleep(for: .milliseconds(200))
                let requests = await log.requests
                #expect(requests.count == 1, "\(requests.map(\.path))")
                let sent = try #require(requests.first)
                #expect(sent.path == "/2010-04-01/Accounts/AC123/Messages.json")
                let fields = Dictionary(FormEncoding.decode(Array(sent.body.utf8)).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                #expect(fields["To"] == "+34613000202")
                #expect(fields["From"] == "+34900000000")
                #expect(fields["Body"]?.contains("1) Accept PO-RULES") == true, "\(fields["Body"] ?? "")")
                #expect(fields["Body"]?.contains("2) Decline PO-RULES") == true, "\(fields["Body"] ?? "")")
            }
        }
    }
}
