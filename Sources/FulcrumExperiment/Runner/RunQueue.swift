import Foundation

/// The queue the worker threads of a sweep take runs from: the next run to take, the outcomes and the first store
/// error (which stops every worker: without the store nothing can be recorded). Everything behind
/// one lock.
final class RunQueue: @unchecked Sendable {
    let total: Int
    private let lock = NSCondition()
    private var nextSlot = 0
    private var finishedWorkers = 0
    private var outcomes: [ExperimentRunner.Outcome?]
    private var failure: (any Error)?

    init(total: Int) {
        self.total = total
        outcomes = Array(repeating: nil, count: total)
    }

    /// The next slot to run, or nil when all are taken or the sweep stopped.
    func next() -> Int? {
        lock.withLock {
            guard failure == nil, nextSlot < total else { return nil }
            defer { nextSlot += 1 }
            return nextSlot
        }
    }

    func record(_ outcome: ExperimentRunner.Outcome, at slot: Int) { lock.withLock { outcomes[slot] = outcome } }

    func outcome(at slot: Int) -> ExperimentRunner.Outcome? { lock.withLock { outcomes[slot] } }

    func stop(_ error: any Error) { lock.withLock { if failure == nil { failure = error } } }

    func workerDone() {
        lock.withLock {
            finishedWorkers += 1
            lock.broadcast()
        }
    }

    /// Blocks until `count` workers are done; rethrows the first store error.
    func waitForWorkers(_ count: Int) throws {
        lock.lock()
        while finishedWorkers < count { lock.wait() }
        let failure = failure
        lock.unlock()
        if let failure { throw failure }
    }
}
