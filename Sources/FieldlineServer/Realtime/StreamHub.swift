import Foundation

/// This instance's connected streams: the listener wakes the streams of a tenant when a
/// notification for it arrives, and every stream after the listener reconnects (it may have
/// missed notifications). A wake-up carries no event: each stream then reads what it may see
/// from the table, so a lost wake-up delays but never loses an event.
actor StreamHub {
    /// One connected stream.
    private struct Subscriber {
        let tenantID: UUID
        /// The signed-in user, for a stream opened with an agent token.
        let userID: UUID?
        let wake: AsyncStream<Void>.Continuation
    }

    private var subscribers: [UUID: Subscriber] = [:]
    private var isShutDown = false
    /// Streams ended because their user's account changed (see `closeStreams(ofUser:)`).
    private var revoked: Set<UUID> = []

    /// Registers a stream of `tenantID`; its wake-ups coalesce (at most one is pending), and
    /// the sequence finishes when the hub shuts down. Nil after shutdown.
    func subscribe(tenantID: UUID, userID: UUID? = nil) -> (id: UUID, wakeUps: AsyncStream<Void>)? {
        guard !isShutDown else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers[id] = Subscriber(tenantID: tenantID, userID: userID, wake: continuation)
        return (id, stream)
    }

    /// Removes a stream (its socket closed).
    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.wake.finish()
        revoked.remove(id)
    }

    /// Ends the streams of a user whose account was disabled, deleted or changed role or
    /// organization: they were authorized under the old account and must reconnect (and be
    /// authorized again, or refused).
    func closeStreams(ofUser userID: UUID) {
        for (id, subscriber) in subscribers where subscriber.userID == userID {
            subscriber.wake.finish()
            subscribers[id] = nil
            revoked.insert(id)
        }
    }

    /// Whether the stream `id` was ended by `closeStreams(ofUser:)`.
    func wasRevoked(_ id: UUID) -> Bool { revoked.contains(id) }

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
