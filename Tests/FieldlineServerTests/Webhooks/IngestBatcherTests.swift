import FieldlineDomain
import Foundation
import Testing
@testable import FieldlineServer

@Suite("Ingest group commit: batching")
struct IngestBatcherTests {
    /// Records each batch handed to the store and holds it until the test lets it finish.
    actor Store {
        private(set) var batches: [[String]] = []
        private var tenants: [UUID] = []
        private var gates: [Int: CheckedContinuation<Void, Never>] = [:]
        private var opened: Set<Int> = []

        func store(_ messages: [InboundMessageInput], _ tenantID: UUID) async -> [Result<IngestResult, any Error>] {
            let number = batches.count
            batches.append(messages.map(\.providerMessageID))
            tenants.append(tenantID)
            if !opened.contains(number) { await withCheckedContinuation { gates[number] = $0 } }
            return messages.map { message in
                if message.sender == "refused" { return .failure(ValidationError(field: "sender", code: "unknown_sender", message: "no")) }
                return .success(IngestResult(messageId: UUIDv7.make(), conversationId: Self.conversation(message.providerMessageID), duplicate: false))
            }
        }

        /// Lets batch `number` (0-based, in the order the store saw them) finish.
        func finish(_ number: Int) {
            opened.insert(number)
            gates.removeValue(forKey: number)?.resume()
        }

        func tenantsOfBatches() -> [UUID] { tenants }

        /// A conversation id derived from the message id, so each caller can check it got its own result.
        static func conversation(_ providerMessageID: String) -> UUID {
            UUID(uuidString: "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - providerMessageID.count) + providerMessageID)!
        }
    }

    static func message(_ id: String, from sender: String) -> InboundMessageInput {
        InboundMessageInput(provider: .app, sender: sender, providerMessageID: id, kind: .text, text: id)
    }

    /// Waits (briefly) until `condition` holds.
    static func eventually(_ condition: @Sendable () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("condition never held")
    }

    @Test("messages arriving while every batch is busy share the next one; a sender is never in two batches at once")
    func gathersWhileBusy() async throws {
        let store = Store()
        let batcher = IngestBatcher(maxBatch: 10, maxBatchesPerTenant: 2, maxBatchesInFlight: 2) { await store.store($0, $1) }
        let tenant = UUID()
        try await withThrowingTaskGroup(of: (String, IngestResult).self) { group in
            func send(_ id: String, from sender: String) {
                group.addTask { (id, try await batcher.ingest(Self.message(id, from: sender), tenantID: tenant)) }
            }
            send("1", from: "ana")
            try await Self.eventually { await store.batches.count == 1 }
            // Ana's second message may not run beside her first: it waits, and the flight that
            // found nothing else to take ends.
            send("2", from: "ana")
            try await Self.eventually { batcher.backlog == (1, 1) }
            send("3", from: "bea")
            try await Self.eventually { await store.batches.count == 2 }
            // Both flights are busy: these two gather.
            send("4", from: "carl")
            send("5", from: "dani")
            try await Self.eventually { batcher.backlog == (3, 2) }
            await store.finish(1)
            try await Self.eventually { await store.batches.count == 3 }
            #expect(await store.batches == [["1"], ["3"], ["4", "5"]])
            await store.finish(0)
            try await Self.eventually { await store.batches.count == 4 }
            await store.finish(2)
            await store.finish(3)
            var results: [String: IngestResult] = [:]
            for try await (id, result) in group { results[id] = result }
            #expect(await store.batches == [["1"], ["3"], ["4", "5"], ["2"]])
            for (id, result) in results { #expect(result.conversationId == Store.conversation(id)) }
            #expect(results.count == 5)
        }
        // A flight leaves after it has answered its callers, so this may take a moment.
        try await Self.eventually { batcher.backlog == (0, 0) }
    }

    @Test("a batch holds one tenant; each caller gets its own message's result or error")
    func tenantsAndErrors() async throws {
        let store = Store()
        let batcher = IngestBatcher(maxBatch: 10, maxBatchesInFlight: 1) { await store.store($0, $1) }
        let (north, south) = (UUID(), UUID())
        try await withThrowingTaskGroup(of: (String, Result<IngestResult, any Error>).self) { group in
            func send(_ id: String, from sender: String, _ tenant: UUID) {
                group.addTask {
                    do { return (id, .success(try await batcher.ingest(Self.message(id, from: sender), tenantID: tenant))) } catch { return (id, .failure(error)) }
                }
            }
            send("1", from: "ana", north)
            try await Self.eventually { await store.batches.count == 1 }
            send("2", from: "bea", south)
            try await Self.eventually { batcher.backlog.waiting == 1 }
            send("3", from: "refused", north)
            try await Self.eventually { batcher.backlog.waiting == 2 }
            send("4", from: "carl", south)
            try await Self.eventually { batcher.backlog.waiting == 3 }
            for number in 0..<3 { await store.finish(number) }
            var results: [String: Result<IngestResult, any Error>] = [:]
            for try await (id, result) in group { results[id] = result }
            #expect(await store.batches == [["1"], ["2", "4"], ["3"]])
            #expect(await store.tenantsOfBatches() == [north, south, north])
            #expect((try? results["4"]?.get())?.conversationId == Store.conversation("4"))
            guard case .failure(let error as ValidationError) = results["3"] else {
                Issue.record("the refused sender's caller got no error")
                return
            }
            #expect(error.code == "unknown_sender")
        }
    }

    @Test("a tenant runs one batch at a time by default; another tenant's messages do not wait for it")
    func oneBatchPerTenant() async throws {
        let store = Store()
        let batcher = IngestBatcher(maxBatch: 10, maxBatchesInFlight: 4) { await store.store($0, $1) }
        let (north, south) = (UUID(), UUID())
        try await withThrowingTaskGroup(of: IngestResult.self) { group in
            group.addTask { try await batcher.ingest(Self.message("1", from: "ana"), tenantID: north) }
            try await Self.eventually { await store.batches.count == 1 }
            // North's next message waits for north's batch although flights are free...
            group.addTask { try await batcher.ingest(Self.message("2", from: "bea"), tenantID: north) }
            try await Self.eventually { batcher.backlog == (1, 1) }
            // ...while south's is stored beside it.
            group.addTask { try await batcher.ingest(Self.message("3", from: "carl"), tenantID: south) }
            try await Self.eventually { await store.batches.count == 2 }
            #expect(await store.batches == [["1"], ["3"]])
            await store.finish(1)
            try await Self.eventually { batcher.backlog == (1, 1) }
            await store.finish(0)
            try await Self.eventually { await store.batches.count == 3 }
            await store.finish(2)
            for try await _ in group {}
        }
        #expect(await store.batches == [["1"], ["3"], ["2"]])
        #expect(await store.tenantsOfBatches() == [north, south, north])
    }

    @Test("a batch never exceeds its size")
    func batchSize() async throws {
        let store = Store()
        let batcher = IngestBatcher(maxBatch: 3, maxBatchesInFlight: 1) { await store.store($0, $1) }
        let tenant = UUID()
        try await withThrowingTaskGroup(of: IngestResult.self) { group in
            group.addTask { try await batcher.ingest(Self.message("0", from: "s0"), tenantID: tenant) }
            try await Self.eventually { await store.batches.count == 1 }
            for number in 1...7 {
                group.addTask { try await batcher.ingest(Self.message("\(number)", from: "s\(number)"), tenantID: tenant) }
            }
            try await Self.eventually { batcher.backlog.waiting == 7 }
            for number in 0..<4 { await store.finish(number) }
            for try await _ in group {}
        }
        #expect(await store.batches.map(\.count) == [1, 3, 3, 1])
        #expect(await store.batches.flatMap { $0 }.sorted() == (0...7).map(String.init))
    }
}
