import Foundation
import NIOConcurrencyHelpers

/// The hand-off between writers of stream events and this instance's `StreamPublisher`: a
/// transaction that wrote events marks its tenant (`markWritten`), and `Database` signals the
/// marked tenants once that transaction has committed. Signals coalesce, so a burst of commits
/// costs the publisher one publication.
public final class StreamPublication: Sendable {
    /// The tenants whose writes committed since the publisher last looked.
    private let committed = NIOLockedValueBox(Set<UUID>())
    private let continuation: AsyncStream<Void>.Continuation
    /// One element per burst of signals; the publisher's only consumer.
    let signals: AsyncStream<Void>

    /// An idle hand-off.
    public init() {
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the publisher that `tenants` have committed events to publish.
    func signal(_ tenants: Set<UUID>) {
        guard !tenants.isEmpty else { return }
        committed.withLockedValue { $0.formUnion(tenants) }
        continuation.yield()
    }

    /// The tenants signalled since the last call, emptying the set.
    func takeSignalled() -> Set<UUID> {
        committed.withLockedValue { tenants in
            defer { tenants.removeAll() }
            return tenants
        }
    }

    /// The tenants the current transaction wrote events for (bound by `Database.transaction`).
    final class Written: Sendable {
        private let tenants = NIOLockedValueBox(Set<UUID>())
        func insert(_ tenantID: UUID) { _ = tenants.withLockedValue { $0.insert(tenantID) } }
        var all: Set<UUID> { tenants.withLockedValue { $0 } }
    }

    @TaskLocal static var written: Written?

    /// Records that the current transaction wrote events of `tenantID`. Outside a `Database`
    /// transaction it records nothing: the publisher's sweep publishes such events later.
    static func markWritten(_ tenantID: UUID) {
        written?.insert(tenantID)
    }
}
