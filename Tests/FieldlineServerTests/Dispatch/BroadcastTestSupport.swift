import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A dispatch network for offer tests: subcontractors covering one site, each with a member
/// reachable on WhatsApp (or SMS) who has written once, and signed webhooks for their answers.
enum BroadcastTestSupport {
    /// The job site of every test (Madrid centre).
    static let site = (latitude: 40.4168, longitude: -3.7038)

    /// A subcontractor with a service area covering the site; returns its id.
    static func subcontractor(_ admin: APICaller, _ name: String) async throws -> String {
        let org = try #require(try await admin.post(
            "/v1/organizations", #"{"kind":"subcontractor","name":"\#(name)","tags":["towing"]}"#).json["id"].string)
        let area = try await admin.post("/v1/service-areas", #"""
            {"organization_id":"\#(org)","name":"Madrid","latitude":40.42,"longitude":-3.70,"radius_km":30}
            """#)
        #expect(area.status == .created, "\(area.text)")
        return org
    }

    /// A member of `org` known by `kind` (`whatsapp` or `sms`) at `+<digits>`; returns its id.
    static func member(_ admin: APICaller, _ org: String, digits: String, kind: String = "whatsapp") async throws -> String {
        let created = try await admin.post("/v1/members", #"""
            {"organization_id":"\#(org)","name":"Crew \#(digits.suffix(3))","identities":[{"kind":"\#(kind)","external_id":"+\#(digits)"}]}
            """#)
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.json["id"].string)
    }

    /// A job at the site needing towing; returns its id.
    static func job(_ admin: APICaller, _ orderNumber: String) async throws -> String {
        try #require(try await admin.post("/v1/jobs", #"""
            {"order_number":"\#(orderNumber)","title":"Tow a van","address":"Gran Vía 1, Madrid","latitude":\#(site.latitude),"longitude":\#(site.longitude),"required_tags":["towing"]}
            """#).json["id"].string)
    }

    /// A signed WhatsApp text from `digits`.
    static func whatsAppText(_ client: any TestClientProtocol, _ hook: String, from digits: String, id: String, text: String) async throws -> TestResponse {
        try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: id, from: digits, text: text))
    }

    /// A signed WhatsApp reply-button press from `digits` picking `choiceID`.
    static func whatsAppButton(_ client: any TestClientProtocol, _ hook: String, from digits: String, id: String, choiceID: String) async throws -> TestResponse {
        let body = #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Crew"},"wa_id":"\#(digits)"}],"messages":[{"from":"\#(digits)","id":"\#(id)","timestamp":"1749416383","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"\#(choiceID)","title":"Accept"}}}]},"field":"messages"}]}]}"#
        return try await WebhookTests.postSigned(client, hook, body)
    }

    /// The offers of a job by subcontractor id.
    static func offers(_ admin: APICaller, _ job: String) async throws -> [String: JSON] {
        let list = try await admin.get("/v1/jobs/\(job)/offers")
        #expect(list.status == .ok, "\(list.text)")
        return Dictionary(list.json["data"].array.compactMap { offer in offer["organization_id"].string.map { ($0, offer) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The bodies of the outbound system messages in `member`'s conversations, with the winner's
    /// "is yours" (a `choice` message when it carries "Job done"), but not the offers themselves.
    static func systemTexts(_ fixtures: Fixtures, _ tenant: UUID, member: String) async throws -> [String] {
        let memberID = try #require(UUID(uuidString: member))
        #expect(try await noticesSent(fixtures, tenant))
        return try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT m.body FROM messages m JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                WHERE m.tenant_id = \(tenant) AND c.member_id = \(memberID) AND m.direction = 'outbound'
                  AND (m.kind = 'system' OR (m.kind = 'choice' AND NOT m.payload ? 'offer'))
                ORDER BY m.id
                """, logger: fixtures.database.logger
            ).collect { try $0.decode(String.self) }
        }
    }

    /// Waits until the tenant's closed offers' notices are written (no `dispatch.notices` row
    /// pending: the outbox worker runs them just after the closing transaction commits).
    static func noticesSent(_ fixtures: Fixtures, _ tenant: UUID) async throws -> Bool {
        try await eventually(seconds: 60) {
            try await fixtures.database.withTenant(tenant) { connection in
                try await connection.query("""
                    SELECT count(*)::int FROM outbox
                    WHERE tenant_id = \(tenant) AND topic = 'dispatch.notices' AND done_at IS NULL AND dead_at IS NULL
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) } == 0
            }
        }
    }

    /// How many published stream events (what agents' streams read) of `kind` the tenant has in
    /// conversations (a job's own event in no conversation is not counted: JobStreamTests reads those).
    static func streamEvents(_ fixtures: Fixtures, _ tenant: UUID, kind: String) async throws -> Int {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "SELECT count(*)::int FROM stream_events WHERE tenant_id = \(tenant) AND kind = \(kind) AND conversation_id IS NOT NULL", logger: fixtures.database.logger
            ).first { try $0.decode(Int.self) } ?? 0
        }
    }

    /// Waits until the tenant's published stream holds exactly `count` events of `kind`.
    static func published(_ fixtures: Fixtures, _ tenant: UUID, kind: String, count: Int) async throws -> Bool {
        try await eventually { try await streamEvents(fixtures, tenant, kind: kind) == count }
    }
}
