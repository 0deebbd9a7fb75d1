import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch offers outside the 24-hour window: WhatsApp's offer template with Accept / Decline buttons, never free-form")
struct OfferTemplateTests {
    typealias Support = BroadcastTestSupport

    @Test("WhatsApp, last message 25 hours old: the offer goes out as the approved template (order number, title, address, window; two quick replies), and a press accepts it")
    func templateThenPress() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(
                    admin, "whatsapp", extraConfig: #""offer_template":"job_offer","offer_template_language":"es""#)
                let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34613000001")
                try await ProviderTestSupport.age(inbound: 25, tenant: fixture.tenant.id, fixtures)
                let job = try await Support.job(admin, "PO-TPL")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                let offer = try #require(try await Support.offers(admin, job)[a.org])
                let offerID = try #require(offer["id"].string).lowercased()

                #expect(try await eventually { await log.requests.count == 1 })
                let body = try ProviderTestSupport.body(try #require(await log.requests.first))
                #expect(body["type"] as? String == "template", "never a free-form message outside the window: \(body)")
                #expect(body["to"] as? String == "+34613000001" || body["to"] as? String == "34613000001")
                let template = try #require(body["template"] as? [String: Any])
                #expect(template["name"] as? String == "job_offer")
                #expect(template["language"] as? [String: String] == ["code": "es"])
                let components = try #require(template["components"] as? [[String: Any]])
                #expect(components.count == 3)
                let parameters = (components.first { $0["type"] as? String == "body" }?["parameters"] as? [[String: String]]) ?? []
                #expect(parameters.map { $0["type"] } == ["text", "text", "text", "text"])
                #expect(parameters.map { $0["text"] } == ["PO-TPL", "Tow a van", "Gran Vía 1, Madrid", "-"])
                let buttons = components.filter { $0["type"] as? String == "button" }
                #expect(buttons.map { $0["sub_type"] as? String } == ["quick_reply", "quick_reply"])
                #expect(buttons.map { $0["index"] as? String } == ["0", "1"])
                let payloads = buttons.map { (($0["parameters"] as? [[String: String]])?.first ?? [:]) }
                #expect(payloads.map { $0["type"] } == ["payload", "payload"])
                #expect(payloads.map { $0["payload"] } == ["offer:\(offerID):accept", "offer:\(offerID):decline"])
                #expect(try await eventually {
                    try await Support.offers(admin, job)[a.org]?["recipients"][0]["delivery_status"].string == "sent"
                })

                // The press comes back as a template quick reply (`"type": "button"`) and answers the offer like any other.
                let press = #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Crew"},"wa_id":"34613000001"}],"messages":[{"from":"34613000001","id":"wamid.TPLPRESS","timestamp":"1750091045","type":"button","button":{"payload":"offer:\#(offerID):accept","text":"Aceptar"}}]},"field":"messages"}]}]}"#
                #expect(try await WebhookTests.postSigned(client, hook, press).status == .ok)
                let assigned = try await admin.get("/v1/jobs/\(job)").json
                #expect(assigned["status"].string == "assigned")
                #expect(assigned["organization_id"].string == a.org)
                #expect(try await Support.systemTexts(fixtures, fixture.tenant.id, member: a.member).contains(OfferText.acceptedWithDone(orderNumber: "PO-TPL")))
            }
        }
    }

    @Test("first contact: a member who never wrote gets the offer as the template through the tenant's WhatsApp adapter, not the app path")
    func firstContact() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                _ = try await ProviderTestSupport.adapter(
                    admin, "whatsapp", extraConfig: #""offer_template":"job_offer","offer_template_language":"es""#)
                // Known only by the phone number an agent typed in: nothing came from them yet.
                let org = try await Support.subcontractor(admin, "Tow New")
                _ = try await Support.member(admin, org, digits: "34613000021")
                let job = try await Support.job(admin, "PO-FIRST")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)

                #expect(try await eventually { await log.requests.count == 1 })
                let body = try ProviderTestSupport.body(try #require(await log.requests.first))
                #expect(body["type"] as? String == "template", "\(body)")
                #expect(body["to"] as? String == "+34613000021" || body["to"] as? String == "34613000021")
                #expect((body["template"] as? [String: Any])?["name"] as? String == "job_offer")
                #expect(try await eventually {
                    try await Support.offers(admin, job)[org]?["recipients"][0]["delivery_status"].string == "sent"
                })
                let recipient = try #require(try await Support.offers(admin, job)[org]?["recipients"][0])
                #expect(recipient["delivery_error"].isNull)
            }
        }
    }

    @Test("WhatsApp without an offer template, and Messenger: outside the window the offer is refused, with the reason on the offer; nothing goes out")
    func refusedWithReason() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34613000011")
                try await ProviderTestSupport.age(inbound: 25, tenant: fixture.tenant.id, fixtures)
                let job = try await Support.job(admin, "PO-NOTPL")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                #expect(try await eventually {
                    try await Support.offers(admin, job)[a.org]?["recipients"][0]["delivery_status"].string == "failed"
                })
                let reason = try await Support.offers(admin, job)[a.org]?["recipients"][0]["delivery_error"].string ?? ""
                #expect(reason.contains("whatsapp service window closed"), "\(reason)")
                #expect(reason.contains("config.offer_template"), "\(reason)")
                #expect(reason.contains("never sent as a free-form message"), "\(reason)")
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.isEmpty, "nothing went to the provider")

                // Inside the window the same offer would go free-form, as buttons: a second subcontractor who wrote just now.
                let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow B", kmNorth: 2, digits: "34613000012")
                let second = try await Support.job(admin, "PO-INWIN")
                #expect(try await admin.post("/v1/jobs/\(second)/broadcast", #"{"organization_ids":["\#(b.org)"]}"#).status == .created)
                #expect(try await eventually { await log.requests.count == 1 })
                let body = try ProviderTestSupport.body(try #require(await log.requests.first))
                #expect(body["type"] as? String == "interactive")
            }
        }
    }

    @Test("Messenger, last message 25 hours old: no message tag fits a job offer, so it is refused with the reason on the offer")
    func messengerRefused() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "messenger", extraConfig: #""human_agent_tag":"true""#)
                let org = try await Support.subcontractor(admin, "Tow M")
                try await ProviderTestSupport.inbound(client, "messenger", hook, id: "mid.M1", text: "hola")
                // The member who wrote (made by ingest) joins the subcontractor.
                let member = try #require(try await admin.get("/v1/members").json["data"].array.first?["id"].string)
                #expect(try await admin.patch("/v1/members/\(member)", #"{"organization_id":"\#(org)"}"#).status == .ok)
                try await ProviderTestSupport.age(inbound: 25, tenant: fixture.tenant.id, fixtures)
                let job = try await Support.job(admin, "PO-FB")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                #expect(try await eventually {
                    try await Support.offers(admin, job)[org]?["recipients"][0]["delivery_status"].string == "failed"
                })
                let reason = try await Support.offers(admin, job)[org]?["recipients"][0]["delivery_error"].string ?? ""
                #expect(reason.contains("messenger service window closed"), "\(reason)")
                #expect(reason.contains("no message tag for a job offer"), "\(reason)")
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.isEmpty, "not even with the HUMAN_AGENT tag: an offer is not a person's reply")
            }
        }
    }
}
