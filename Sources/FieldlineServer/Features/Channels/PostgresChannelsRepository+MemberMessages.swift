import FieldlineDomain
import Foundation
import PostgresNIO

/// A member's inbound text that speaks in a horizontal channel: the channel, the member, and the
/// text to post (without the `#handle` that addressed it).
struct ChannelAddress: Sendable {
    let channelID: UUID
    let memberID: UUID
    let text: String
}

/// What the inbound pipeline needs of channels: a member's message that speaks in a horizontal
/// channel (docs/channels.md), found and posted inside the ingest transaction.
protocol MemberChannelMessages: Sendable {
    /// The horizontal channel `message` speaks in, resolved and locked, or nil for an ordinary
    /// message; see `PostgresChannelsRepository.addressedChannel`.
    func channelAddress(of message: InboundMessageInput, in transaction: TenantTransaction) async throws -> ChannelAddress?
    /// Posts the member's words to the channel, relayed to every other participant member like
    /// `POST /v1/channels/{id}/posts` with `member_id`; returns the post's id.
    func post(_ address: ChannelAddress, in transaction: TenantTransaction) async throws -> UUID
}

/// Members speaking in a horizontal channel from their own app (docs/channels.md): a quoted reply
/// to a relay copy, or a message starting with the channel's `#handle`.
extension PostgresChannelsRepository: MemberChannelMessages {
    /// Only a text that quotes a message or starts with a handle-shaped `#word` costs a query;
    /// every other message returns at once.
    func channelAddress(of message: InboundMessageInput, in transaction: TenantTransaction) async throws -> ChannelAddress? {
        guard message.kind == .text, let text = message.text else { return nil }
        // Only a provider adapter's sends carry provider ids a reply can quote.
        let replyTo = message.adapterID == nil ? nil : message.replyToProviderMessageID
        let handle = ChannelHandle.addressed(text)
        guard replyTo != nil || handle != nil else { return nil }
        return try await addressedChannel(
            identityKind: message.identityKind, sender: message.sender, provider: message.provider.rawValue, adapterID: message.adapterID,
            providerMessageID: message.providerMessageID, replyTo: replyTo, handle: handle, text: text,
            tenantID: transaction.tenantID, transaction.connection)
    }

    func post(_ address: ChannelAddress, in transaction: TenantTransaction) async throws -> UUID {
        try await publish(
            to: address.channelID, kind: .horizontal, text: address.text, memberID: address.memberID, userID: nil,
            tenantID: transaction.tenantID, transaction.connection)
    }

    /// The horizontal channel an inbound text from `sender` is addressed to, held `FOR SHARE` until
    /// commit, with the tenant's post lock taken (`lockPosts`); nil when it is an ordinary message.
    /// `handle` (from a `#handle` prefix) wins over `replyTo` (the provider id of the quoted
    /// message, matched on the same adapter against an outbound relay copy in one of the member's
    /// conversations); either way the member must belong to one of the channel's organizations.
    /// A `#handle` naming a channel the member cannot speak in makes the message ordinary even when
    /// it quotes a relay: posting it to the quoted channel would show peers another channel's handle.
    /// Nil, without the lock, when `providerMessageID` is already stored (a retried webhook): the
    /// caller finds the stored copy, and a retry must not wait behind another post's fan-out.
    func addressedChannel(
        identityKind: IdentityKind, sender: String, provider: String, adapterID: UUID?, providerMessageID: String,
        replyTo: String?, handle: (handle: String, text: String)?, text: String, tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> ChannelAddress? {
        let row = try await connection.query("""
            WITH member AS (
                SELECT m.id, m.organization_id FROM member_identities i
                JOIN members m ON m.tenant_id = i.tenant_id AND m.id = i.member_id
                WHERE i.tenant_id = \(tenantID) AND i.kind = \(identityKind.rawValue) AND i.external_id = \(sender)
            ), candidate AS (
                SELECT 1 AS rank, ch.id AS channel_id FROM channels ch
                WHERE \(handle?.handle)::text IS NOT NULL AND ch.tenant_id = \(tenantID) AND ch.handle = \(handle?.handle)
                UNION ALL
                SELECT 2, cp.channel_id FROM messages q
                JOIN conversations c ON c.tenant_id = q.tenant_id AND c.id = q.conversation_id
                JOIN channel_posts cp ON cp.tenant_id = q.tenant_id AND cp.id = q.channel_post_id
                WHERE \(replyTo)::text IS NOT NULL AND q.tenant_id = \(tenantID) AND q.provider = \(provider)
                  AND q.adapter_id = \(adapterID)::uuid AND q.provider_message_id = \(replyTo)
                  AND q.direction = 'outbound' AND c.member_id = (SELECT id FROM member)
                  AND NOT EXISTS (SELECT 1 FROM channels named WHERE named.tenant_id = \(tenantID) AND named.handle = \(handle?.handle))
            ), stored AS (
                -- Two equalities, each a probe of the unique key (as in ingest's lookUp).
                SELECT 1 FROM messages
                WHERE tenant_id = \(tenantID) AND provider = \(provider) AND adapter_id = \(adapterID)::uuid
                  AND provider_message_id = \(providerMessageID)
                UNION ALL
                SELECT 1 FROM messages
                WHERE \(adapterID)::uuid IS NULL AND tenant_id = \(tenantID) AND provider = \(provider) AND adapter_id IS NULL
                  AND provider_message_id = \(providerMessageID)
            )
            SELECT ch.id, candidate.rank, member.id FROM candidate
            JOIN channels ch ON ch.tenant_id = \(tenantID) AND ch.id = candidate.channel_id AND ch.kind = 'horizontal'
            JOIN member ON true
            JOIN channel_participants p
                ON p.tenant_id = \(tenantID) AND p.channel_id = ch.id AND p.organization_id = member.organization_id
            WHERE NOT EXISTS (SELECT 1 FROM stored)
            ORDER BY candidate.rank LIMIT 1
            FOR SHARE OF ch
            """, logger: logger
        ).first { try $0.decode((UUID, Int, UUID).self) }
        guard let (channelID, rank, memberID) = row else { return nil }
        let posted = rank == 1 ? handle?.text ?? "" : text.trimmingWhitespace()
        guard !posted.isEmpty else { return nil }
        try await lockPosts(tenantID: tenantID, connection)
        return ChannelAddress(channelID: channelID, memberID: memberID, text: posted)
    }
}
