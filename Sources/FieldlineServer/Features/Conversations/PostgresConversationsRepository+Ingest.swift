import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest: inbound messages stored in one transaction, whatever their number. The common case
/// (known members in open conversations) costs one read and one write for the whole batch, plus
/// one stream append; first messages, channel messages, media and routing add their own
/// statements per message.
extension PostgresConversationsRepository {
    func ingest(_ message: InboundMessageInput, tenantID: UUID) async throws -> IngestResult {
        do {
            return try await database.withTenant(tenantID) { try await ingest([message], tenantID: tenantID, $0)[0] }
        } catch is LostDuplicateRace {
            // The identical webhook committed first, after this transaction had posted or opened
            // something for it (rolled back): a fresh transaction finds its stored copy.
            return try await database.withTenant(tenantID) { try await ingest([message], tenantID: tenantID, $0)[0] }
        }
    }

    func ingest(_ messages: [InboundMessageInput], tenantID: UUID) async -> [Result<IngestResult, any Error>] {
        if messages.count > 1 {
            do {
                let stored = try await database.withTenant(tenantID) { try await ingest(messages, tenantID: tenantID, $0) }
                return stored.map { .success($0) }
            } catch {
                // One message's failure (an unknown sender, a deadlock with another writer) must
                // not become the others': each is stored alone, so only its sender sees an error.
                logger.notice("ingest batch failed; storing its messages one by one", metadata: [
                    "messages": .stringConvertible(messages.count), "error": .string(String(reflecting: error)),
                ])
            }
        }
        var results: [Result<IngestResult, any Error>] = []
        for message in messages {
            do { results.append(.success(try await ingest(message, tenantID: tenantID))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    /// Stores `messages` in the caller's transaction, in waves with one message per sender (and
    /// per member) each, so a sender's messages land in order and each sees the conversation the
    /// one before opened.
    func ingest(_ messages: [InboundMessageInput], tenantID: UUID, _ connection: PostgresConnection) async throws -> [IngestResult] {
        // Before lookUp locks any member's conversation: see `PostgresChannelsRepository.lockPosts`.
        // An already stored message (a retried webhook) gets nil here, without waiting for the post lock.
        var addresses: [ChannelAddress?] = []
        for message in messages { addresses.append(try await channelAddress(of: message, tenantID: tenantID, connection)) }
        var results = [IngestResult?](repeating: nil, count: messages.count)
        var remaining = Array(messages.indices)
        while !remaining.isEmpty {
            var senders = Set<String>()
            let wave = remaining.filter { senders.insert(messages[$0].senderKey).inserted }
            let stored = try await ingestWave(wave.map { (messages[$0], addresses[$0]) }, tenantID: tenantID, connection)
            for (index, result) in zip(wave, stored) { results[index] = result }
            // A message left for a later wave (its member wrote through another identity in this one) stays.
            remaining.removeAll { results[$0] != nil }
        }
        let all = results.compactMap { $0 }
        guard all.count == messages.count else { throw MissingRowError(what: "ingest result") }
        return all
    }

    /// A message of a wave, ready to store: the store row and what its events need.
    private struct PlannedMessage {
        let index: Int
        let row: IngestStoreRow
        let memberID: UUID
        let conversation: ActiveConversation
        /// The member was created for this message (a sender nobody knew).
        let newMember: Bool
    }

    /// Messages of distinct senders: one look-up, the members of strangers, the conversations to
    /// open (one statement), each message's answer and channel steps, one store, then media,
    /// routing and one stream append for those stored. Returns nil for a message left for the
    /// next wave: a member writing through two identities (SMS and WhatsApp) has one
    /// conversation, and their second message must see what the first did to it (woken, routed,
    /// a choice answered), as when stored one after the other.
    private func ingestWave(
        _ messages: [(message: InboundMessageInput, address: ChannelAddress?)], tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> [IngestResult?] {
        let found = try await lookUp(messages.map(\.message), tenantID: tenantID, connection)
        var results = [IngestResult?](repeating: nil, count: messages.count)
        // Members first (a stranger's is created), then the conversations of those who have none
        // open, all in one statement, then each message's answer and channel post.
        // A wave with a channel message makes a stranger's member in arrival order (below) instead:
        // an earlier message's post must not reach a member who did not exist when it was made.
        let opensTogether = messages.allSatisfy { $0.address == nil }
        var members: [(index: Int, memberID: UUID?)] = []
        var seen = Set<UUID>()
        for (index, (message, _)) in messages.enumerated() {
            if let existing = found[index].existing {
                results[index] = existing
            } else if let known = found[index].memberID, !seen.insert(known).inserted {
                continue
            } else {
                members.append((index, opensTogether ? try await member(for: message, found: found[index], tenantID: tenantID, connection) : nil))
            }
        }
        // The conversations to open, in member order: a channel post opens its recipients' in
        // that order too, so a post and a batch never each hold a new conversation the other
        // waits for (a deadlock that failed the post). A wave with a channel message keeps
        // arrival order instead, one at a time: no post runs beside it (it holds the post lock),
        // and its own post may open a later sender's conversation, as when stored first.
        var openedByIndex: [Int: ActiveConversation] = [:]
        if opensTogether {
            let needing = members.compactMap { member in member.memberID.map { (index: member.index, memberID: $0) } }
                .filter { found[$0.index].conversation == nil }
            let opened = try await activeConversations(of: needing.map(\.memberID), tenantID: tenantID, connection)
            openedByIndex = Dictionary(uniqueKeysWithValues: zip(needing.map(\.index), opened))
        }
        var planned: [PlannedMessage] = []
        for (index, knownMember) in members {
            let (message, address) = messages[index]
            let memberID: UUID
            if let knownMember { memberID = knownMember } else { memberID = try await member(for: message, found: found[index], tenantID: tenantID, connection) }
            var conversation = found[index].conversation ?? openedByIndex[index]
            if conversation == nil { conversation = try await activeConversations(of: [memberID], tenantID: tenantID, connection).first }
            planned.append(try await plan(
                message, index: index, found: found[index], memberID: memberID,
                conversation: conversation, address: address, tenantID: tenantID, connection))
        }
        let inserted = try await store(planned.map(\.row), tenantID: tenantID, connection)
        let lost = planned.filter { !inserted.contains($0.row.messageID) }
        if !lost.isEmpty {
            // An identical webhook committed first (another instance). What this transaction did
            // for the message beforehand (a member, a conversation, a channel post) must not stay.
            if lost.contains(where: { $0.newMember || $0.conversation.opened || $0.row.channelPostID != nil }) { throw LostDuplicateRace() }
            let stored = try await lookUp(lost.map(\.row.message), tenantID: tenantID, connection)
            for (message, found) in zip(lost, stored) {
                guard let existing = found.existing else { throw LostDuplicateRace() }
                results[message.index] = existing
            }
        }
        let stored = planned.filter { inserted.contains($0.row.messageID) }
        // The routing settings, read once for the wave when any message is to be routed.
        let routed = stored.contains { $0.row.deskActivity && RoutingEngine.routes(opened: $0.conversation.opened, routingState: $0.conversation.routingState) }
        let settings = routed ? try await RoutingSettings.load(tenantID: tenantID, connection, logger: logger) : nil
        var events: [NewStreamEvent] = []
        for message in stored {
            events += try await afterStore(message, routing: settings, tenantID: tenantID, connection)
            results[message.index] = IngestResult(messageId: message.row.messageID, conversationId: message.conversation.id, duplicate: false)
        }
        try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
        guard results.contains(where: { $0 != nil }) else { throw MissingRowError(what: "ingest wave result") }
        return results
    }

    /// The sender's member: the known one, or one created for a stranger.
    private func member(for message: InboundMessageInput, found: LookUp, tenantID: UUID, _ connection: PostgresConnection) async throws -> UUID {
        let knownOrNew: UUID? = if let memberID = found.memberID { memberID } else { try await newUnverifiedMember(message, tenantID: tenantID, connection) }
        guard let memberID = knownOrNew else {
            throw ValidationError(field: "sender", code: "unknown_sender", message: "no member has the \(message.identityKind.rawValue) identity '\(message.sender)'")
        }
        return memberID
    }

    /// The numbered answer the text may be, and the channel post it makes, in `conversation`
    /// (found by the look-up, or opened for the batch).
    private func plan(
        _ message: InboundMessageInput, index: Int, found: LookUp, memberID: UUID, conversation: ActiveConversation?,
        address: ChannelAddress?, tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> PlannedMessage {
        guard let conversation else { throw MissingRowError(what: "ingest conversation") }
        let answer: (kind: MessageKind, text: String?, payload: String)?
        if found.conversation != nil {
            // Words said to peers in a channel answer no menu of the desk.
            answer = address == nil ? try Self.numberedAnswer(message, offer: found.offer) : nil
        } else {
            // A conversation opened just now has no replies yet: nothing to answer, nothing held.
            answer = conversation.opened || address != nil
                ? nil : try await numberedAnswer(message, in: conversation.id, tenantID: tenantID, connection)
        }
        var postID: UUID?
        if let address { postID = try await post(address, tenantID: tenantID, connection) }
        // A channel message is said to peers, not to the desk: it neither wakes a snoozed
        // conversation nor lifts it in the queues (like a broadcast, see docs/channels.md).
        let row = IngestStoreRow(
            messageID: UUIDv7.make(), conversationID: conversation.id, message: message,
            content: answer ?? (kind: message.kind, text: message.text, payload: message.payload), channelPostID: postID,
            deskActivity: address == nil, releaseHeld: !conversation.opened, woke: conversation.status == .pending && address == nil)
        return PlannedMessage(index: index, row: row, memberID: memberID, conversation: conversation, newMember: found.memberID == nil)
    }

    /// A stored message's media fetch and routing (with the tenant's routing `settings`), and its stream events.
    private func afterStore(
        _ planned: PlannedMessage, routing settings: RoutingSettings?, tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> [NewStreamEvent] {
        let row = planned.row
        if let media = row.message.media {
            try await PostgresMediaRepository.enqueue(
                media, messageID: row.messageID, provider: row.message.provider, adapterID: row.message.adapterID, tenantID: tenantID,
                on: connection, logger: logger)
        }
        var events: [NewStreamEvent] = []
        if planned.conversation.opened {
            events.append(NewStreamEvent(kind: .conversationOpened, conversationID: row.conversationID, data: ["member_id": .id(planned.memberID)]))
        }
        events.append(Self.messageCreated(row.messageID, in: row.conversationID, direction: "inbound", kind: row.content.kind.rawValue))
        if row.woke {
            events.append(Self.statusChanged(row.conversationID, from: .pending, to: .open, reason: "member_wrote"))
        }
        if row.deskActivity {
            events += try await RoutingEngine(logger: logger).inbound(
                text: row.message.text, conversationID: row.conversationID, opened: planned.conversation.opened,
                routingState: planned.conversation.routingState, settings: settings, tenantID: tenantID, connection)
        }
        return events
    }
}

extension InboundMessageInput {
    /// Who sent it, as ingest tells senders apart: the identity's kind and external id.
    var senderKey: String { "\(identityKind.rawValue)\u{0}\(sender)" }
}
