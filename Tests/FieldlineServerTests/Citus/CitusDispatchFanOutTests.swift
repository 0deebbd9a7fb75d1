import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A round larger than `OfferFanOut.inline` on the cluster: the rest of its messages written by
/// the outbox (`dispatch.deliver`), the others' offers withdrawn after an Accept (`OfferFanOutTests`
/// on a single PostgreSQL).
extension CitusTests {
    @Test("a large round on the cluster: 105 offers, the 100 nearest sent in the request, the rest by dispatch.deliver, each once; the farthest's Accept wins and the 104 others are withdrawn and told once")
    func dispatchLargeRound() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            try await OfferFanOutTests.largeRoundScenario(client, fixtures, APICaller(client, fixture), fixture.tenant.id, count: 105, order: "PO-CFAN")
        }
    }
}
