import Foundation
import Testing
@testable import FieldlineServer

@Suite("The outbox lease")
struct OutboxLeaseTests {
    @Test("a row performed for longer than its lease is renewed, so a second worker never performs it again")
    func renewedWhileWorking() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            var registry = OutboxRegistry()
            registry.register(RecordingJob(database: database, calls: calls))
            try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "slow"), tenantID: tenantID, database)
            // Two workers, as on two instances, with a lease of 1 s and a job of 2.5 s.
            var worker = OutboxTestSupport.worker(database, registry, maxAttempts: 5)
            worker.lease = .seconds(1)
            try await withThrowingTaskGroup(of: Void.self) { [worker] group in
                for _ in 1...2 { group.addTask { try await worker.run() } }
                let deadline = ContinuousClock.now + .seconds(20)
                while try await OutboxTestSupport.rows(database).first?.done != true, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Long enough for a second claim, had the lease run out.
                try await Task.sleep(for: .milliseconds(1500))
                group.cancelAll()
            }
            let row = try #require(try await OutboxTestSupport.rows(database).first)
            #expect(row.done)
            #expect(row.attempts == 1)
            #expect(await calls.entries == ["perform slow"])
        }
    }
}
