import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// The stream publisher's watchdog (issue 15): a connection that stops answering is dropped and
/// replaced, so events keep flowing whatever happens to its backend.
@Suite("Stream publisher watchdog")
struct PublisherWatchdogTests {
    @Test("a deadline returns when it passes, without waiting for an operation that ignores cancellation")
    func deadline() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlinePassed.self) {
            try await withDeadline(.milliseconds(200)) {
                // Like a query whose promise was dropped: cancellation does not end it.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // Far longer than the deadline, so a loaded machine's slow timer cannot pass for waiting on it.
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
                }
            }
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: CancellationError.self) {
            try await withDeadline(.seconds(5)) { throw CancellationError() }
        }
    }

    @Test("killing the publisher's backend again and again loses no event: each one arrives, in order")
    func repeatedKills() async throws {
        try await TestApp.runLive(configure: { $0.streamPublishTimeout = .seconds(1) }) { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            try await withStream(client, token: desk.fixture.token) { inbox, _ in
                let rounds = 12
                var killed = 0
                for round in 1...rounds {
                    _ = try await desk.send("w-\(round)", "mensaje \(round)")
                    // Any state: idle between publications, or in the middle of one.
                    killed += try await fixtures.database.client.query("""
                        SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = \(StreamPublisher.applicationName)
                        """, logger: fixtures.database.logger
                    ).first { try $0.decode(Int.self) } ?? 0
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                }
                #expect(killed >= rounds / 2, "the publisher's backend was found and killed \(killed) times")
                var texts: [String] = []
                while texts.count < rounds {
                    let event = try await inbox.next(within: 20)
                    if event["type"].string == "message.created", let text = event["message"]["text"].string { texts.append(text) }
                }
                #expect(texts == (1...rounds).map { "mensaje \($0)" })
            }
        }
    }

    @Test("a publisher connection that stays open but never answers is dropped and replaced by the watchdog")
    func silentConnection() async throws {
        try await TestApp.runLive(configure: { $0.streamPublishTimeout = .seconds(1) }) { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            try await withStream(client, token: desk.fixture.token) { inbox, _ in
                _ = try await desk.send("s-1", "antes")
                #expect(try await inbox.events(2).last?["message"]["text"].string == "antes")
                // Freeze the publisher's backend while it is idle (it holds no lock then): the socket
                // stays open, and what is written to it is never answered, as when a connection dies
                // between the check and the write.
                let pid = try #require(try await fixtures.database.client.query("""
                    SELECT pid FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = \(StreamPublisher.applicationName) AND state = 'idle'
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int32.self) })
                #expect(kill(pid, SIGSTOP) == 0)
                defer { _ = kill(pid, SIGCONT) }
                _ = try await desk.send("s-2", "durante")
                // The watchdog (1 s) replaces the connection; without it the event would wait
                // forever and this would throw. (No tighter bound: a loaded machine is slow.)
                let event = try await inbox.next(within: 15)
                #expect(event["message"]["text"].string == "durante")
                _ = kill(pid, SIGCONT)
                _ = try await fixtures.database.client.query("SELECT pg_terminate_backend(\(pid))", logger: fixtures.database.logger)
            }
        }
    }
}
