import FieldlineChannels
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

/// Members speaking in a horizontal channel from their own app: a quoted reply to a relay copy,
/// or a `#handle` prefix (docs/channels.md).
@Suite("Channels: members speak in a horizontal thread from WhatsApp, Telegram and SMS")
struct MemberChannelMessagesTests {
    typealias Support = ProviderTestSupport

    /// Two related peer organizations, "Grúas Sur" and "Talleres Norte", their horizontal channel
    /// (with `handle`, if given), and an unrelated organization "Lejos".
    static func peers(_ admin: APICaller, handle: String? = nil) async throws -> (sur: String, norte: String, lejos: String, channel: String) {
        let sur = try await ChannelsTests.organization(admin, "subcontractor", "Grúas Sur")
        let norte = try await ChannelsTests.organization(admin, "subcontractor", "Talleres Norte")
        let lejos = try await ChannelsTests.organization(admin, "subcontractor", "Lejos")
        #expect(try await admin.post("/v1/organizations/\(sur)/relations", #"{"peer_id":"\#(norte)"}"#).status == .created)
        let handleField = handle.map { #","handle":"\#($0)""# } ?? ""
        let created = try await admin.post(
            "/v1/channels", #"{"kind":"horizontal","name":"Sur y Norte","organization_ids":["\#(sur)","\#(norte)"]\#(handleField)}"#)
        #expect(created.status == .created, "\(created.text)")
        #expect(created.json["handle"].string == handle)
        return (sur, norte, lejos, try #require(created.json["id"].string))
    }

    /// Creates a member with one identity and returns its id.
    static func member(_ admin: APICaller, _ organization: String, _ name: String, _ kind: String, _ externalID: String) async throws -> String {
        let response = try await admin.post(
            "/v1/members", #"{"organization_id":"\#(organization)","name":"\#(name)","identities":[{"kind":"\#(kind)","external_id":"\#(externalID)"}]}"#)
        return try #require(response.json["id"].string, "\(response.json)")
    }

    /// The messages of the member's open conversation, newest first (empty when there is none).
    static func messages(of member: String, _ admin: APICaller) async throws -> [JSON] {
        guard let id = try await admin.get("/v1/conversations?member_id=\(member)&status=open").json["data"][0]["id"].string else { return [] }
        return try await admin.get("/v1/conversations/\(id)/messages?limit=100").json["data"].array
    }

    /// The texts of the channel's thread, newest first.
    static func thread(_ channel: String, _ admin: APICaller) async throws -> [JSON] {
        try await admin.get("/v1/channels/\(channel)/posts").json["data"].array
    }

    /// Waits until the outbox has sent the member's copy of `post`, and returns its provider message id.
    static func sentCopy(of post: String, to member: String, _ admin: APICaller) async throws -> String {
        #expect(try await eventually {
            try await messages(of: member, admin).contains { $0["channel_post_id"].string == post && $0["delivery_status"].string == "sent" }
        })
        let copy = try await messages(of: member, admin).first { $0["channel_post_id"].string == post }
        return try #require(copy?["provider_message_id"].string, "the relay copy has no provider id")
    }

    /// A signed WhatsApp webhook: a text from Ana's number quoting `quoted`.
    static func whatsAppReply(id: String, quoting quoted: String, text: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"\#(quoted)"},"from":"16505551234","id":"\#(id)","timestamp":"1749416390","type":"text","text":{"body":"\#(text)"}}]},"field":"messages"}]}]}"#
    }

    /// Posts a signed Twilio SMS webhook from `from`.
    static func sms(_ client: any TestClientProtocol, _ hook: String, sid: String, from: String, text: String) async throws {
        let fields = [FormField("MessageSid", sid), FormField("From", from), FormField("To", "+34900000000"),
                      FormField("Body", text), FormField("NumMedia", "0")]
        let signature = TwilioSignature.sign(url: "http://localhost:8080" + hook, parameters: fields, authToken: Support.twilioToken)
        let response = try await client.execute(
            uri: hook, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: signature],
            body: ByteBuffer(bytes: FormEncoding.encode(fields))) { $0 }
        #expect(response.status == .ok)
    }

    @Test("a WhatsApp reply quoting a relay copy (context.id) is relayed to the other participants, prefixed, once; the sender gets no copy")
    func whatsAppReply() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "whatsapp")
                let (sur, norte, _, channel) = try await Self.peers(admin)
                let ana = try await Self.member(admin, sur, "Ana", "whatsapp", "+16505551234")
                let beto = try await ChannelsTests.member(admin, sur, "Beto", appUser: "u-beto")
                let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
                // Ana wrote through WhatsApp before, so the relays to her go out there.
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.IN1", text: "Hola")).status == .ok)
                let announcement = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Reunión a las 9"}"#)
                let announcementID = try #require(announcement.json["id"].string)
                let label = try #require(announcement.json["sender_label"].string)
                let relayWamid = try await Self.sentCopy(of: announcementID, to: ana, admin)
                let before = try await Self.messages(of: ana, admin)
                let lastMessageAt = try await admin.get("/v1/conversations?member_id=\(ana)").json["data"][0]["last_message_at"].string

                let reply = Self.whatsAppReply(id: "wamid.IN2", quoting: relayWamid, text: "Llego en 10")
                #expect(try await WebhookTests.postSigned(client, hook, reply).status == .ok)

                let thread = try await Self.thread(channel, admin)
                #expect(thread.map { $0["text"].string } == ["Llego en 10", "Reunión a las 9"])
                #expect(thread[0]["author_member_id"].string == ana)
                #expect(thread[0]["sender_label"].string == "Ana (Grúas Sur)")
                #expect(thread[0]["recipient_count"].int == 2)
                let postID = try #require(thread[0]["id"].string)
                for peer in [beto, carla] {
                    #expect(try await Self.messages(of: peer, admin).map { $0["text"].string } == ["Ana (Grúas Sur): Llego en 10", "\(label): Reunión a las 9"])
                }
                // Ana's words stay in her conversation, linked to the post they made; she gets no copy.
                let anas = try await Self.messages(of: ana, admin)
                #expect(anas.count == before.count + 1)
                #expect(anas[0]["text"].string == "Llego en 10")
                #expect(anas[0]["direction"].string == "inbound")
                #expect(anas[0]["channel_post_id"].string == postID)
                #expect(!anas.contains { $0["direction"].string == "outbound" && $0["channel_post_id"].string == postID })
                // Said to peers, not to the desk: the conversation is not lifted in the queues.
                #expect(try await admin.get("/v1/conversations?member_id=\(ana)").json["data"][0]["last_message_at"].string == lastMessageAt)

                // WhatsApp retries the webhook: nothing is posted twice.
                #expect(try await WebhookTests.postSigned(client, hook, reply).status == .ok)
                #expect(try await Self.thread(channel, admin).count == 2)
                #expect(try await Self.messages(of: beto, admin).count == 2)
                #expect(try await Self.messages(of: ana, admin).count == anas.count)

                // Quoting a message that is not a relay copy is an ordinary message.
                let conversation = try #require(anas[0]["conversation_id"].string)
                let direct = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"¿Todo bien?"}"#).json["id"].string)
                #expect(try await eventually { try await Self.messages(of: ana, admin).first { $0["id"].string == direct }?["delivery_status"].string == "sent" })
                let directWamid = try #require(try await Self.messages(of: ana, admin).first { $0["id"].string == direct }?["provider_message_id"].string)
                #expect(try await WebhookTests.postSigned(client, hook, Self.whatsAppReply(id: "wamid.IN3", quoting: directWamid, text: "Sí")).status == .ok)
                let latest = try #require(try await Self.messages(of: ana, admin).first)
                #expect(latest["text"].string == "Sí")
                #expect(latest["channel_post_id"].isNull)
                #expect(try await Self.thread(channel, admin).count == 2)
                #expect(try await Self.messages(of: carla, admin).count == 2)
            }
        }
    }

    @Test("a Telegram reply (reply_to_message) to a relay copy speaks in the channel: ids match per chat as sent")
    func telegramReply() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "telegram")
                let (sur, norte, _, channel) = try await Self.peers(admin)
                let ana = try await Self.member(admin, sur, "Ana", "telegram", "1111111")
                let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
                try await Support.inbound(client, "telegram", hook, id: "1365", text: "hola")
                let announcement = try #require(try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Reunión a las 9"}"#).json["id"].string)
                let sent = try await Self.sentCopy(of: announcement, to: ana, admin)
                #expect(sent.hasPrefix("1111111:"))
                let relayMessageID = try #require(sent.split(separator: ":").last.map(String.init))

                let update = #"{"update_id":1400,"message":{"date":1441645600,"chat":{"id":1111111,"first_name":"Ana"},"message_id":1400,"from":{"id":1111111,"first_name":"Ana"},"text":"Voy para allá","reply_to_message":{"message_id":\#(relayMessageID),"date":1441645590,"chat":{"id":1111111},"text":"x"}}}"#
                for _ in 0..<2 {  // the second is Telegram retrying the update
                    let response = try await client.execute(
                        uri: hook, method: .post, headers: [.contentType: "application/json", .telegramSecretToken: Support.telegramSecret],
                        body: ByteBuffer(string: update)) { $0 }
                    #expect(response.status == .ok)
                }
                let thread = try await Self.thread(channel, admin)
                #expect(thread.map { $0["text"].string } == ["Voy para allá", "Reunión a las 9"])
                #expect(try await Self.messages(of: carla, admin).first?["text"].string == "Ana (Grúas Sur): Voy para allá")
                #expect(try await Self.messages(of: carla, admin).count == 2)
                let anas = try await Self.messages(of: ana, admin)
                #expect(anas[0]["channel_post_id"].string == thread[0]["id"].string)
                #expect(anas.filter { $0["channel_post_id"].string == thread[0]["id"].string }.count == 1)
            }
        }
    }

    @Test("an SMS starting with #handle from a participant posts the rest; from anyone else, or an unknown #word, it is an ordinary message")
    func smsHandle() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "sms")
                let (sur, norte, lejos, channel) = try await Self.peers(admin, handle: "sur-norte")
                let ana = try await Self.member(admin, sur, "Ana", "sms", "+34600111222")
                let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
                let dora = try await Self.member(admin, lejos, "Dora", "sms", "+34600333444")
                // The desk greets new conversations; a channel message must not get that greeting.
                #expect(try await admin.put("/v1/routing", #"{"enabled":true,"welcome_message":"¡Hola! ¿En qué te ayudamos?"}"#).status == .ok)

                try await Self.sms(client, hook, sid: "SM1", from: "+34600111222", text: "#Sur-Norte  Llego en 10")
                let thread = try await Self.thread(channel, admin)
                #expect(thread.map { $0["text"].string } == ["Llego en 10"])
                #expect(thread.first?["author_member_id"].string == ana)
                #expect(try await Self.messages(of: carla, admin).map { $0["text"].string } == ["Ana (Grúas Sur): Llego en 10"])
                let anas = try await Self.messages(of: ana, admin)
                #expect(anas.map { $0["text"].string } == ["#Sur-Norte  Llego en 10"])
                #expect(anas.first?["channel_post_id"].string == thread.first?["id"].string)
                try await Self.sms(client, hook, sid: "SM1", from: "+34600111222", text: "#Sur-Norte  Llego en 10")
                #expect(try await Self.thread(channel, admin).count == 1)

                // Not a participant: Dora's message is hers alone, handled by the desk as usual.
                try await Self.sms(client, hook, sid: "SM2", from: "+34600333444", text: "#sur-norte Hola a todos")
                let doras = try await Self.messages(of: dora, admin)
                #expect(doras.map { $0["text"].string } == ["¡Hola! ¿En qué te ayudamos?", "#sur-norte Hola a todos"])
                #expect(doras.allSatisfy { $0["channel_post_id"].isNull })
                // A #word that is no channel's handle, and a plain text: ordinary messages.
                try await Self.sms(client, hook, sid: "SM3", from: "+34600111222", text: "#urgente se rompió la grúa")
                try await Self.sms(client, hook, sid: "SM4", from: "+34600111222", text: "sur-norte sin almohadilla")
                #expect(try await Self.thread(channel, admin).count == 1)
                #expect(try await Self.messages(of: carla, admin).count == 1)
                let latest = try await Self.messages(of: ana, admin)
                #expect(latest.prefix(2).map { $0["text"].string } == ["sur-norte sin almohadilla", "#urgente se rompió la grúa"])
                #expect(latest.prefix(2).allSatisfy { $0["channel_post_id"].isNull })
            }
        }
    }

    @Test("a handle is unique per tenant only, and another tenant's handle never matches")
    func handlesAcrossTenants() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let acme = APICaller(client, try await fixtures.tenant("acme"))
                let (acmeSur, acmeNorte, _, acmeChannel) = try await Self.peers(acme, handle: "coord")
                let duplicate = try await acme.post(
                    "/v1/channels", #"{"kind":"horizontal","name":"Otro","organization_ids":["\#(acmeSur)","\#(acmeNorte)"],"handle":"coord"}"#)
                #expect(duplicate.status == .conflict)
                #expect(duplicate.json["error"]["code"].string == "handle_taken")

                let other = APICaller(client, try await fixtures.tenant("other"))
                let hook = try await Support.adapter(other, "sms")
                let (otherSur, otherNorte, _, otherChannel) = try await Self.peers(other)
                let eva = try await Self.member(other, otherSur, "Eva", "sms", "+34600555666")
                let fede = try await ChannelsTests.member(other, otherNorte, "Fede", appUser: "u-fede")
                try await Self.sms(client, hook, sid: "SMX1", from: "+34600555666", text: "#coord hola")
                #expect(try await Self.thread(acmeChannel, acme).isEmpty)
                #expect(try await Self.thread(otherChannel, other).isEmpty)
                #expect(try await Self.messages(of: eva, other).first?["channel_post_id"].isNull == true)

                // The same handle in the other tenant is allowed, and then reaches only that tenant's channel.
                let named = try await other.patch("/v1/channels/\(otherChannel)", #"{"handle":"coord"}"#)
                #expect(named.status == .ok)
                #expect(named.json["handle"].string == "coord")
                try await Self.sms(client, hook, sid: "SMX2", from: "+34600555666", text: "#coord hola de nuevo")
                #expect(try await Self.thread(otherChannel, other).map { $0["text"].string } == ["hola de nuevo"])
                #expect(try await Self.messages(of: fede, other).first?["text"].string == "Eva (Grúas Sur): hola de nuevo")
                #expect(try await Self.thread(acmeChannel, acme).isEmpty)
            }
        }
    }

    @Test("a channel's handle is validated, returned, renamed and cleared through the API")
    func handleAPI() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let (_, _, _, channel) = try await Self.peers(admin, handle: "sur-norte")
            #expect(try await admin.get("/v1/channels/\(channel)").json["handle"].string == "sur-norte")
            for bad in [#"{"handle":"Sur"}"#, #"{"handle":"sur norte"}"#, #"{"handle":"-sur"}"#, #"{"handle":""}"#, #"{"handle":7}"#, #"{"color":"red"}"#] {
                let response = try await admin.patch("/v1/channels/\(channel)", bad)
                #expect((400..<500).contains(response.status.code), "\(bad)")
                #expect(response.json["error"]["field"].string != nil, "\(bad) → \(response.json)")
            }
            let renamed = try await admin.patch("/v1/channels/\(channel)", #"{"name":"Coordinación","handle":"coord"}"#)
            #expect(renamed.json["name"].string == "Coordinación")
            #expect(renamed.json["handle"].string == "coord")
            let kept = try await admin.patch("/v1/channels/\(channel)", #"{"name":"Coordinación sur"}"#)
            #expect(kept.json["handle"].string == "coord")
            let cleared = try await admin.patch("/v1/channels/\(channel)", #"{"handle":null}"#)
            #expect(cleared.status == .ok)
            // Absent means null (README): a channel without a handle has no "handle" key at all.
            #expect(!cleared.json.has("handle"))
            #expect(!(try await admin.get("/v1/channels/\(channel)").json.has("handle")))
            #expect(cleared.json.has("name") && kept.json.has("handle"))
            #expect(cleared.json["name"].string == "Coordinación sur")
            #expect(try await admin.patch("/v1/channels/\(UUID().uuidString)", #"{"name":"X"}"#).status == .notFound)
        }
    }

    @Test("members answering each other at the same moment all get through (each relay writes to the other's conversation)")
    func simultaneousMembers() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "sms")
                let (sur, norte, _, channel) = try await Self.peers(admin, handle: "coord")
                let phones = (0..<6).map { "+3460070000\($0)" }
                for (index, phone) in phones.enumerated() {
                    _ = try await Self.member(admin, index.isMultiple(of: 2) ? sur : norte, "Crew \(index)", "sms", phone)
                }
                // Every member has an open conversation, locked by their own ingest, which the others' relays write to.
                for (index, phone) in phones.enumerated() {
                    try await Self.sms(client, hook, sid: "SMH\(index)", from: phone, text: "hola")
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for round in 0..<3 {
                        for (index, phone) in phones.enumerated() {
                            group.addTask { try await Self.sms(client, hook, sid: "SMC\(round)-\(index)", from: phone, text: "#coord ronda \(round) de \(index)") }
                        }
                    }
                    try await group.waitForAll()
                }
                let thread = try await admin.get("/v1/channels/\(channel)/posts?limit=100").json["data"].array
                #expect(thread.count == 18)
                #expect(thread.allSatisfy { $0["recipient_count"].int == 5 })
            }
        }
    }

    @Test("#handle through the app adapter; a hierarchical channel refuses a handle, and an older one takes no member messages")
    func appAdapterAndHierarchical() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let app = APICaller(client, token: key)
            let (sur, norte, _, channel) = try await Self.peers(admin, handle: "pares")
            let agency = try await ChannelsTests.organization(admin, "partner", "Agencia")
            let tow = try await ChannelsTests.organization(admin, "subcontractor", "Grúas Agencia", parent: agency)
            let refused = try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Agencia abajo","organization_id":"\#(agency)","handle":"abajo"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["error"]["code"].string == "not_allowed")
            #expect(refused.json["error"]["field"].string == "handle")
            let down = try #require(try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Agencia abajo","organization_id":"\#(agency)"}"#).json["id"].string)
            let patched = try await admin.patch("/v1/channels/\(down)", #"{"name":"Abajo","handle":"abajo"}"#)
            #expect(patched.status == .unprocessableContent)
            #expect(patched.json["error"]["code"].string == "not_allowed")
            #expect(patched.json["error"]["field"].string == "handle")
            #expect(try await admin.get("/v1/channels/\(down)").json["name"].string == "Agencia abajo")
            // A handle set before hierarchical channels refused one: it can be cleared, and takes no member messages.
            let downID = try #require(UUID(uuidString: down))
            try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query(
                    "UPDATE channels SET handle = 'abajo' WHERE tenant_id = \(fixture.tenant.id) AND id = \(downID)", logger: fixtures.database.logger)
            }
            _ = try await ChannelsTests.member(admin, sur, "Ana", appUser: "u-ana")
            let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
            let towMember = try await ChannelsTests.member(admin, tow, "Gus", appUser: "u-gus")

            let posted = try await app.post("/v1/app/messages", ##"{"sender":"u-ana","provider_message_id":"a-1","text":"#pares Llego en 10"}"##)
            #expect(posted.status == .created)
            #expect(try await Self.thread(channel, admin).map { $0["text"].string } == ["Llego en 10"])
            #expect(try await Self.messages(of: carla, admin).map { $0["text"].string } == ["Ana (Grúas Sur): Llego en 10"])

            let down1 = try await app.post("/v1/app/messages", ##"{"sender":"u-gus","provider_message_id":"g-1","text":"#abajo hola a todos"}"##)
            #expect(down1.status == .created)
            #expect(try await Self.thread(down, admin).isEmpty)
            #expect(try await Self.messages(of: towMember, admin).map { $0["channel_post_id"].isNull } == [true])
            let cleared = try await admin.patch("/v1/channels/\(down)", #"{"handle":null}"#)
            #expect(cleared.status == .ok)
            #expect(!cleared.json.has("handle"))
        }
    }
}
