import FieldlineDomain
import Foundation
import Logging

/// Stores inbound messages: the one way a member's message enters Fieldline.
protocol InboundIngest: Sendable {
    /// Stores `message` in the member's active conversation (opening one if needed); a provider
    /// message id seen before returns the first result with `duplicate`.
    func ingest(_ message: InboundMessageInput, tenantID: UUID) async throws -> IngestResult
    /// Stores `messages` (of one tenant) in one transaction, a sender's messages in their order,
    /// and returns each one's result in the same order. When any fails, each is stored alone, so
    /// an error reaches only the sender it belongs to.
    func ingest(_ messages: [InboundMessageInput], tenantID: UUID) async -> [Result<IngestResult, any Error>]
}

/// Every inbound message, whatever its provider, goes through these steps in order, inside one
/// transaction with the other messages of its batch (see `IngestBatcher`). The steps are
/// assembled in `InboundPipeline+Standard.swift`, which reads as the inbound path top to bottom.
///
/// The batch is stored in waves of one message per sender (and per member): a sender's
/// messages land in order, and each sees the conversation the one before opened.
struct InboundPipeline: InboundIngest {
    let database: Database
    /// The steps, in the order they run.
    let steps: [any InboundStep]

    var logger: Logger { database.logger }

    func ingest(_ message: InboundMessageInput, tenantID: UUID) async throws -> IngestResult {
        do {
            return try await database.withTenantTransaction(tenantID) { try await ingest([message], in: $0)[0] }
        } catch is LostDuplicateRace {
            // The identical webhook committed first, after this transaction had posted or opened
            // something for it (rolled back): a fresh transaction finds its stored copy.
            return try await database.withTenantTransaction(tenantID) { try await ingest([message], in: $0)[0] }
        }
    }

    func ingest(_ messages: [InboundMessageInput], tenantID: UUID) async -> [Result<IngestResult, any Error>] {
        if messages.count > 1 {
            do {
                let stored = try await database.withTenantTransaction(tenantID) { try await ingest(messages, in: $0) }
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

    /// Stores `messages` in `transaction`, wave after wave; one result per message, in order.
    func ingest(_ messages: [InboundMessageInput], in transaction: TenantTransaction) async throws -> [IngestResult] {
        var batch = InboundWave(items: messages.enumerated().map { InboundItem(index: $0.offset, message: $0.element) })
        for step in steps where step.scope == .batch { try await step.run(&batch, in: transaction) }
        var results = [IngestResult?](repeating: nil, count: messages.count)
        var remaining = Array(messages.indices)
        while !remaining.isEmpty {
            var senders = Set<String>()
            let indices = remaining.filter { senders.insert(messages[$0].senderKey).inserted }
            var wave = InboundWave(items: indices.map {
                InboundItem(index: $0, message: messages[$0], channelAddress: batch.items[$0].channelAddress)
            })
            try await run(&wave, in: transaction)
            // Each wave's events before the next wave's channel posts write theirs, as when
            // its messages were stored first.
            try await transaction.flushStreamEvents()
            guard wave.items.contains(where: { $0.result != nil }) else { throw MissingRowError(what: "ingest wave result") }
            for item in wave.items { results[item.index] = item.result }
            // A message left for a later wave (its member wrote through another identity in this one) stays.
            remaining.removeAll { results[$0] != nil }
        }
        let all = results.compactMap { $0 }
        guard all.count == messages.count else { throw MissingRowError(what: "ingest result") }
        return all
    }

    /// Runs the wave's steps in order; see `InboundStepScope.message` for the one exception.
    private func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let waveSteps = steps.filter { $0.scope != .batch }
        var position = waveSteps.startIndex
        while position < waveSteps.endIndex {
            let step = waveSteps[position]
            guard step.scope == .message, wave.speaksInChannel else {
                try await step.run(&wave, in: transaction)
                position += 1
                continue
            }
            let group = waveSteps[position...].prefix { $0.scope == .message }
            for index in wave.items.indices {
                var single = InboundWave(items: [wave.items[index]])
                for step in group { try await step.run(&single, in: transaction) }
                wave.items[index] = single.items[0]
            }
            position += group.count
        }
    }
}

/// Two identical webhooks raced and the other one stored the message first, after this
/// transaction had made something for it (a member, a conversation, a channel post).
struct LostDuplicateRace: Error {}
