import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Routing on the cluster (`QueueTests` and `RoutingTests` on a single PostgreSQL): the
/// assignment to an online agent, whose logged insert carries a `RETURNING` on Citus.
extension CitusTests {
    @Test("routing on the cluster: a keyword routes to the team's online agent, the rest wait with their position, a close and an agent coming online drain the queue")
    func routingQueue() async throws {
        try await Self.run { client, fixtures in
            let desk = try await RoutingDesk.make(client, fixtures, fixture: try await Self.tenant(fixtures))
            try await QueueTests.capacityAndQueue(client, desk)
        }
    }

    @Test("routing on the cluster: keywords route a first message, no match gets the menu and then the fallback team; round-robin takes turns and least-busy fills the lightest agent")
    func routingKeywordsAndStrategies() async throws {
        try await Self.run { client, fixtures in
            try await RoutingTests.keywordsAndFallback(try await RoutingDesk.make(client, fixtures, fixture: try await Self.tenant(fixtures)))
            try await QueueTests.strategies(try await RoutingDesk.make(client, fixtures, fixture: try await Self.tenant(fixtures)))
        }
    }

    @Test("routing on the cluster: out of the team's hours the member is told when it opens, a drain is queued for the opening and the queue runs when it comes")
    func routingBusinessHours() async throws {
        try await Self.run(configure: { $0.outboxPollInterval = .milliseconds(20) }) { client, fixtures in
            try await QueueTests.businessHours(try await RoutingDesk.make(client, fixtures, fixture: try await Self.tenant(fixtures)))
        }
    }
}
