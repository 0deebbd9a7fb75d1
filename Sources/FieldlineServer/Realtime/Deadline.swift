import NIOConcurrencyHelpers

/// The operation did not finish within its deadline.
struct DeadlinePassed: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "no answer within \(timeout)" }
}

/// Runs `operation` and returns its result, or throws `DeadlinePassed` once `timeout` has passed
/// without one. Unlike a task group, it does not wait for the operation to end: a query written
/// to a connection that died may never be answered and may ignore cancellation (its promise is
/// dropped), and the caller must be free to drop that connection and carry on. The abandoned
/// operation is cancelled and left to finish (or fail when its connection is closed) on its own.
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let resumed = NIOLockedValueBox(false)
    let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            let first = resumed.withLockedValue { done in
                defer { done = true }
                return !done
            }
            guard first else { return }
            timer.withLockedValue { $0?.cancel() }
            work.withLockedValue { $0?.cancel() }
            continuation.resume(with: result)
        }
        work.withLockedValue { $0 = Task { finish(await Result(catching: { try await operation() })) } }
        timer.withLockedValue { $0 = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            finish(.failure(DeadlinePassed(timeout: timeout)))
        } }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
