import Foundation
import NIOConcurrencyHelpers

/// The JSON text of recent stream events, shared by this instance's streams: when many agents
/// watch one tenant, each event is encoded (and its message read) once, not once per socket.
///
/// Only ids a stream's own tenant-scoped, visibility-filtered read returned are looked up, so a
/// text never reaches a socket that could not read the event itself. Entries live a few seconds
/// (an event's message is shown as it was when first read, as a stream read a moment earlier
/// would have shown it) and the oldest go first when the cache is full.
final class StreamEventTexts: Sendable {
    private struct Entry {
        let text: String
        let storedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        /// Ids in the order stored, for eviction.
        var order: [Int64] = []
        var head = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Most texts kept.
    let capacity: Int
    /// How long a text is reused.
    let lifetime: Duration

    /// A cache of `capacity` texts, each reused for `lifetime`.
    init(capacity: Int = 4096, lifetime: Duration = .seconds(5)) {
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
    }

    /// The texts held for `ids` (those still fresh).
    func texts(for ids: [Int64]) -> [Int64: String] {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            var found: [Int64: String] = [:]
            for id in ids {
                if let entry = state.entries[id], now - entry.storedAt < lifetime { found[id] = entry.text }
            }
            return found
        }
    }

    /// Keeps `text` for event `id`, evicting the oldest when full.
    func store(_ text: String, for id: Int64) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            if state.entries.updateValue(Entry(text: text, storedAt: now), forKey: id) != nil { return }
            state.order.append(id)
            if state.order.count - state.head > capacity {
                state.entries.removeValue(forKey: state.order[state.head])
                state.head += 1
                // Compact now and then, so the order array does not grow without bound.
                if state.head >= capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }

    /// How many texts are held (for tests).
    var count: Int { state.withLockedValue { $0.entries.count } }
}
