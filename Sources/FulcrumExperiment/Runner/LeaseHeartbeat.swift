import Foundation

/// Renews a sweep's leases every `LeaseTiming.heartbeatSeconds` on its own thread, so a run's
/// lease stays fresh however long its steps take. A failed renewal (the store busy for longer than
/// its timeout) is retried at the next beat: expiry is many beats long.
final class LeaseHeartbeat: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var finished = false

    /// The thread holds the store weakly: were it the last owner, the store would close on this
    /// thread as it exits (a WAL checkpoint under an exclusive lock) while its caller goes on using the file.
    init(store: RunStore, owner: String, every seconds: Double) {
        let thread = Thread { [self, weak store] in
            condition.lock()
            while !stopped {
                if !condition.wait(until: Date().addingTimeInterval(seconds)), !stopped {
                    condition.unlock()
                    _ = try? store?.renewLeases(owner: owner)
                    condition.lock()
                }
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Stops the thread and waits for it, so no renewal follows the sweep's last release.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
