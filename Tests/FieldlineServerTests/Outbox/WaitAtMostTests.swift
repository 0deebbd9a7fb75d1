import Dispatch
import Testing
@testable import FieldlineServer

@Suite("waitAtMost: a bound on work that may hang")
struct WaitAtMostTests {
    @Test("work that finishes in time is never reported late, however many run at once")
    func finishedInTime() async {
        // The timer's cancelled sleep once went on to report the finished work as late: the
        // ingest answered 500 "did not finish in time" a second into a run.
        let late = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<2000 {
                group.addTask { await waitAtMost(.seconds(30)) { index } == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(late == 0)
    }

    @Test("work past its bound is cancelled and reported late without waiting for it")
    func late() async {
        let started = ContinuousClock.now
        let result: Int? = await waitAtMost(.milliseconds(200)) {
            // Ignores cancellation on purpose, like a dependency stuck on a lost wake-up, without
            // spinning (a cancelled Task.sleep returns at once). Far longer than the bound, so a
            // loaded machine's slow timer cannot pass for waiting on it.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
            }
            return 1
        }
        #expect(result == nil)
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}
