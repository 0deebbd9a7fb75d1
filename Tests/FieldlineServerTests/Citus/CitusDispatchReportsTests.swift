import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Dispatch's timers and delivery reports, and a rejected proof's restart, on the cluster: the
/// scenarios of `OfferTimerTests.windowEnds`, `OfferDeliveryTests.deliveryReports`,
/// `FlowProofRejectionTests.rejectionRestartsEndedRun` and `rejectionMovesPausedRun`, run against
/// the coordinator.
extension CitusTests {
    @Test("the window's end on the cluster: the dispatch timer due then makes the offered job expired, withdraws its offer and tells the crew; job.expired as the API answers the job")
    func dispatchWindowEnds() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            try await OfferTimerTests.windowEndScenario(client, fixtures, admin, tenant, hook, advance: Self.advanceClock)
        }
    }

    @Test("delivery reports on the cluster: signed WhatsApp statuses move the offer sent → delivered → read, never back, each on the case timeline; accepted, it stays so")
    func dispatchDeliveryReports() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            try await OfferDeliveryTests.reportsScenario(client, fixtures, admin, tenant, hook)
        }
    }

    @Test("a rejected proof on the cluster: the crew is told why, the proof flow's ended run asks for photos again, and the next photo is a new proof of the job")
    func flowsProofRejection() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await FlowProofRejectionTests.servePhotos(log)
            try await Self.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                try await FlowProofRejectionTests.endedRunScenario(client, try await Self.tenant(fixtures), baseURL: baseURL, log: log)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a rejected proof on the cluster while the crew's new run is paused by an agent: that run moves to the photo step quietly and asks once resumed")
    func flowsProofRejectionPaused() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await FlowProofRejectionTests.servePhotos(log)
            try await Self.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                try await FlowProofRejectionTests.pausedRunScenario(client, try await Self.tenant(fixtures), baseURL: baseURL)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
