import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest of a member's message that speaks in a horizontal channel (docs/channels.md): a quoted
/// reply to a relay copy, or a text starting with `#handle`.
extension PostgresConversationsRepository {
    /// The horizontal channel `message` speaks in, resolved and locked, or nil for an ordinary
    /// message. Only a text that quotes a message or starts with a handle-shaped `#word` costs a
    /// query; every other message returns at once.
    func channelAddress(of message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> ChannelAddress? {
        guard message.kind == .text, let text = message.text else { return nil }
        // Only a provider adapter's sends carry provider ids a reply can quote.
        let replyTo = message.adapterID == nil ? nil : message.replyToProviderMessageID
        let handle = ChannelHandle.addressed(text)
        guard replyTo != nil || handle != nil else { return nil }
        return try await PostgresChannelsRepository(database: database).addressedChannel(
            identityKind: message.identityKind, sender: message.sender, provider: message.provider, adapterID: message.adapterID,
            providerMessageID: message.providerMessageID, replyTo: replyTo, handle: handle, text: text, tenantID: tenantID, connection)
    }

    /// Posts the member's words to the channel, relayed to every other participant member like
    /// `POST /v1/channels/{id}/posts` with `member_id`; returns the post's id.
    func post(_ address: ChannelAddress, tenantID: UUID, _ connection: PostgresConnection) async throws -> UUID {
        try await PostgresChannelsRepository(database: database).publish(
            to: address.channelID, kind: .horizontal, text: address.text, memberID: address.memberID, userID: nil,
            tenantID: tenantID, connection)
    }
}
