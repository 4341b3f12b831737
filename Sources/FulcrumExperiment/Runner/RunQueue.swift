import Foundation

/// The queue the worker threads of a sweep take runs from: the runs not yet taken, the runs
/// another process holds (asked for again every `pollSeconds`), the outcomes and the first store
/// error (which stops every worker: without the store nothing can be recorded). Everything behind
/// one lock.
final class RunQueue: @unchecked Sendable {
    let total: Int
    private let pollSeconds: Double
    private let lock = NSCondition()
    private var nextSlot = 0
    /// Slots held by another process, with when to ask again.
    private var postponed: [(slot: Int, due: Date)] = []
    private var finishedWorkers = 0
    private var outcomes: [ExperimentRunner.Outcome?]
    private var failure: (any Error)?

    init(total: Int, pollSeconds: Double = 0.1) {
        self.total = total
        self.pollSeconds = pollSeconds
        outcomes = Array(repeating: nil, count: total)
    }

    /// The next slot to try: a fresh one, else the postponed one due first (waiting until it is
    /// due); nil when none is left, the sweep failed or `stopping()` says so.
    func next(stopping: () -> Bool) -> Int? {
        lock.withLock {
            while failure == nil, !stopping() {
                if nextSlot < total {
                    defer { nextSlot += 1 }
                    return nextSlot
                }
                guard let first = postponed.indices.min(by: { postponed[$0].due < postponed[$1].due }) else { return nil }
                if postponed[first].due <= Date() { return postponed.remove(at: first).slot }
                _ = lock.wait(until: postponed[first].due)
            }
            return nil
        }
    }

    /// Puts back a slot another process holds, to be tried again after `pollSeconds`.
    func postpone(_ slot: Int) {
        lock.withLock {
            postponed.append((slot, Date().addingTimeInterval(pollSeconds)))
            lock.broadcast()
        }
    }

    func record(_ outcome: ExperimentRunner.Outcome, at slot: Int) { lock.withLock { outcomes[slot] = outcome } }

    func outcome(at slot: Int) -> ExperimentRunner.Outcome? { lock.withLock { outcomes[slot] } }

    func stop(_ error: any Error) {
        lock.withLock {
            if failure == nil { failure = error }
            lock.broadcast()
        }
    }

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
