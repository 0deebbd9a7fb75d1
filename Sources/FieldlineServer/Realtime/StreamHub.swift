import Foundation

/// This instance's connected streams: the listener wakes the streams of a tenant when a
/// notification for it arrives, and every stream after the listener reconnects (it may have
/// missed notifications). A wake-up carries no event: each stream then reads what it may see
/// from the table, so a lost wake-up delays but never loses an event.
actor StreamHub {
    /// One connected stream.
    private struct Subscriber {
        let tenantID: UUID
        let wake: AsyncStream<Void>.Continuation
    }

    private var subscribers: [UUID: Subscriber] = [:]
    private var isShutDown = false

    /// Registers a stream of `tenantID`; its wake-ups coalesce (at most one is pending), and
    /// the sequence finishes when the hub shuts down. Nil after shutdown.
    func subscribe(tenantID: UUID) -> (id: UUID, wakeUps: AsyncStream<Void>)? {
        guard !isShutDown else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers[id] = Subscriber(tenantID: tenantID, wake: continuation)
        return (id, stream)
    }

    /// Removes a stream (its socket closed).
    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.wake.finish()
    }

    /// Wakes the streams of one tenant.
    func wake(tenantID: UUID) {
        for subscriber in subscribers.values where subscriber.tenantID == tenantID {
            subscriber.wake.yield()
        }
    }

    /// Wakes every stream: after the listener (re)connects, anything may have been missed.
    func wakeAll() {
        for subscriber in subscribers.values { subscriber.wake.yield() }
    }

    /// Number of connected streams (for metrics and tests).
    var count: Int { subscribers.count }

    /// Ends every stream (graceful shutdown) and refuses new ones.
    func shutdown() {
        isShutDown = true
        for subscriber in subscribers.values { subscriber.wake.finish() }
        subscribers.removeAll()
    }
}
