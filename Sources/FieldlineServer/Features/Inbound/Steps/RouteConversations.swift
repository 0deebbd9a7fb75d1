import Foundation

/// Routes the conversations a stored message opened or that wait for a menu answer: the welcome
/// menu, keyword rules, the fallback, and the team queues (`RoutingEngine`). The tenant's routing
/// settings are read once for the wave, and only when a message is to be routed.
struct RouteConversations: InboundStep {
    let routing: RoutingEngine

    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let routed = wave.items.contains { item in
            guard item.stored, item.isDeskActivity, !item.heldByFlow, let conversation = item.conversation else { return false }
            return conversation.routingState.routesInbound(conversationOpened: conversation.opened)
        }
        guard routed else { return }
        let settings = try await RoutingSettings.load(tenantID: transaction.tenantID, transaction.connection, logger: transaction.logger)
        try await wave.forEachStored { item in
            guard item.isDeskActivity, !item.heldByFlow else { return }
            let conversation = try item.requireConversation()
            item.followingEvents += try await routing.inbound(
                text: item.message.text, conversationID: conversation.id, opened: conversation.opened,
                routingState: conversation.routingState, settings: settings, tenantID: transaction.tenantID, transaction.connection)
        }
    }
}
