import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Routing's queue on the cluster (`QueueTests.capacityAndQueue` on a single PostgreSQL): the
/// assignment to an online agent, whose logged insert carries a `RETURNING` on Citus.
extension CitusTests {
    @Test("routing on the cluster: a keyword routes to the team's online agent, the rest wait with their position, a close and an agent coming online drain the queue")
    func routingQueue() async throws {
        try await Self.run { client, fixtures in
            let desk = try await RoutingDesk.make(client, fixtures, fixture: try await Self.tenant(fixtures))
            try await QueueTests.capacityAndQueue(client, desk)
        }
    }
}
