import NIOConcurrencyHelpers

/// Runs `work` and waits for it at most `limit`: past that, the work is cancelled and the caller
/// goes on without it (true when the work finished in time). Unlike a task group, this does not
/// wait for work stuck in a dependency that ignores cancellation, so one lost wake-up cannot stop
/// the outbox worker for good (found by `bench/run-faults pg-restart`). Cancelling the caller
/// cancels the work.
func waitAtMost(_ limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
    let gate = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(nil)
    let finish: @Sendable (Bool) -> Void = { finished in gate.withLockedValue { $0.take() }?.resume(returning: finished) }
    let task = Task { await work() }
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            gate.withLockedValue { $0 = continuation }
            let timer = Task {
                // A cancelled sleep means the work finished: it must not be reported as late.
                do { try await Task.sleep(for: limit) } catch { return }
                task.cancel()
                finish(false)
            }
            Task {
                await task.value
                finish(true)
                timer.cancel()
            }
        }
    } onCancel: {
        task.cancel()
    }
}

/// `work`'s result, or nil when it did not finish within `limit` (see `waitAtMost(_:_:)`).
func waitAtMost<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
    let result = NIOLockedValueBox<T?>(nil)
    let finished = await waitAtMost(limit) {
        let value = await work()
        result.withLockedValue { $0 = value }
    }
    return finished ? result.withLockedValue { $0 } : nil
}
