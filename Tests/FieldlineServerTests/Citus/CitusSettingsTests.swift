import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A tenant's settings rows on the cluster: each is one `INSERT … ON CONFLICT DO UPDATE` that
/// renews `updated_at`, which Citus refuses as `now()` there (`upsertNow:`, docs/scaling.md).
extension CitusTests {
    @Test("settings on the cluster: routing, dispatch and proof settings are saved, then replaced, and read back")
    func settingsUpserts() async throws {
        try await Self.run { client, fixtures in
            let admin = APICaller(client, try await Self.tenant(fixtures))
            for welcome in ["Hola {menu}", "Buenas {menu}"] {
                let saved = try await admin.put("/v1/routing", #"{"enabled":true,"welcome_message":"\#(welcome)"}"#)
                #expect(saved.status == .ok, "\(saved.text)")
            }
            #expect(try await admin.get("/v1/routing").json["welcome_message"].string == "Buenas {menu}")

            for (mode, timeout) in [("one_by_one", 120), ("nearest_first", 300)] {
                let saved = try await admin.put("/v1/dispatch/settings", """
                    {"mode":"\(mode)","timeout_seconds":\(timeout),"wave_size":3,"wave_interval_seconds":60,"widen_factor":1.5,"max_waves":3}
                    """)
                #expect(saved.status == .ok, "\(saved.text)")
            }
            let dispatch = try await admin.get("/v1/dispatch/settings").json
            #expect(dispatch["mode"].string == "nearest_first" && dispatch["timeout_seconds"].int == 300, "\(dispatch)")

            #expect(try await admin.put("/v1/proof-settings", #"{"at_site_metres":400}"#).json["at_site_metres"].int == 400)
            let proofs = try await admin.put("/v1/proof-settings", #"{"gps_in_links":true}"#).json
            #expect(proofs["at_site_metres"].int == 400 && proofs["gps_in_links"].bool == true, "\(proofs)")
        }
    }
}
