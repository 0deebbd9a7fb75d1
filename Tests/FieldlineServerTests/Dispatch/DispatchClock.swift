import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

/// Moving dispatch's clock in tests without sleeping: every deadline of a tenant (offers'
/// expiry, the next wave, pending `dispatch.tick` rows) is brought `seconds` closer, so the
/// outbox worker finds the timers due at once — exactly what happens when that time passes.
enum DispatchClock {
    /// Runs `body` with an app talking to a fake provider, an admin of a new tenant and that
    /// tenant's WhatsApp adapter (its webhook path), as every dispatch timer test starts.
    static func withTenant(
        _ body: @Sendable (any TestClientProtocol, Fixtures, APICaller, UUID, String) async throws -> Void
    ) async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                try await body(client, fixtures, admin, fixture.tenant.id, hook)
            }
        }
    }

    /// Brings the tenant's dispatch deadlines `seconds` closer.
    static func advance(_ fixtures: Fixtures, _ tenant: UUID, seconds: Int) async throws {
        try await fixtures.database.withTenant(tenant) { connection in
            let logger = fixtures.database.logger
            try await connection.query("""
                UPDATE offers SET expires_at = expires_at - \(seconds) * interval '1 second'
                WHERE tenant_id = \(tenant) AND expires_at IS NOT NULL
                """, logger: logger)
            try await connection.query("""
                UPDATE dispatch_rounds SET next_wave_at = next_wave_at - \(seconds) * interval '1 second'
                WHERE tenant_id = \(tenant) AND next_wave_at IS NOT NULL
                """, logger: logger)
            try await connection.query("""
                UPDATE outbox SET available_at = available_at - \(seconds) * interval '1 second'
                WHERE tenant_id = \(tenant) AND topic = 'dispatch.tick' AND done_at IS NULL AND dead_at IS NULL
                """, logger: logger)
        }
    }

    /// Seconds until the tenant's next pending `dispatch.tick`, or nil when none waits.
    static func nextTick(_ fixtures: Fixtures, _ tenant: UUID) async throws -> Double? {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT extract(epoch FROM min(available_at) - now())::float8 FROM outbox
                WHERE tenant_id = \(tenant) AND topic = 'dispatch.tick' AND done_at IS NULL AND dead_at IS NULL
                """, logger: fixtures.database.logger
            ).first { try $0.decode(Double?.self) } ?? nil
        }
    }

    /// A subcontractor with a 30 km service area centred `km` north of the test site, and a
    /// WhatsApp member who has written once from `digits`; returns the organization and member ids.
    static func subcontractor(
        _ admin: APICaller, _ client: any TestClientProtocol, hook: String, _ name: String, kmNorth km: Double, digits: String
    ) async throws -> (org: String, member: String) {
        let org = try #require(try await admin.post(
            "/v1/organizations", #"{"kind":"subcontractor","name":"\#(name)","tags":["towing"]}"#).json["id"].string)
        let latitude = BroadcastTestSupport.site.latitude + km / 111.195
        let area = try await admin.post("/v1/service-areas", #"""
            {"organization_id":"\#(org)","name":"\#(name) area","latitude":\#(latitude),"longitude":\#(BroadcastTestSupport.site.longitude),"radius_km":30}
            """#)
        #expect(area.status == .created, "\(area.text)")
        let member = try await BroadcastTestSupport.member(admin, org, digits: digits)
        #expect(try await BroadcastTestSupport.whatsAppText(client, hook, from: digits, id: "wamid.HELLO\(digits)", text: "hola").status == .ok)
        return (org, member)
    }
}
