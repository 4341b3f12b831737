import Foundation

/// Sweep progress as plain lines, one per event and no escape codes: for pipes, files and CI logs.
///
///     9 runs to train, 2 skipped (finished earlier; --force reruns them)
///     start  dtp seed 2 (run 1a2b3c4d5e6f7a8b)
///            dtp seed 2: step 700/1500 (46 %), ETA 12 s
///     [3/9] done   dtp seed 2 in 4.2 s, 357 steps/s, policy 3.1 µs/step
///     sweep done: finished 7, failed 1, diverged 1, interrupted 0, skipped 2 in 1 min 3 s
///
/// A long run gets a progress line at most every `interval` seconds, so a log shows it is alive
/// without a line per step.
public final class LogLineProgress: SweepObserver, @unchecked Sendable {
    public let interval: Double
    private let output: @Sendable (String) -> Void
    private let clock: @Sendable () -> Double
    // Guards everything below. Lines are written while holding it, so they reach the output in the
    // order of their "[n/N]" counters even when runs end on several threads at once.
    private let lock = NSLock()
    private var state = ProgressState()
    /// Per running run: when its next progress line is due.
    private var nextProgressLineAt: [String: Double] = [:]

    /// - Parameters:
    ///   - interval: seconds between two progress lines of the same run.
    ///   - output: receives text ending in a newline; standard output by default.
    ///   - clock: seconds, monotonic; tests pass a fake one.
    public init(interval: Double = 30,
                output: @escaping @Sendable (String) -> Void = ProgressDevice.standardOutput,
                clock: @escaping @Sendable () -> Double = ProgressDevice.monotonicClock()) {
        self.interval = interval
        self.output = output
        self.clock = clock
    }

    public func sweepStarted(toTrain count: Int, skipped: [ExperimentRunner.PlannedRun]) {
        let now = clock()
        lock.withLock {
            state.startSweep(toTrain: count, skipped: skipped.count, at: now)
            output(ProgressLines.sweepStart(toTrain: count, skipped: skipped.count) + "\n")
        }
    }

    public func runStarted(_ run: ExperimentRunner.PlannedRun, totalSteps: Int) {
        let now = clock()
        lock.withLock {
            state.startRun(id: run.id, label: run.label, totalSteps: totalSteps, at: now)
            nextProgressLineAt[run.id] = now + interval
            output(ProgressLines.runStart(label: run.label, id: run.id) + "\n")
        }
    }

    /// Every step: a clock read and two dictionary accesses; text only when a line is due.
    public func runAdvanced(_ run: ExperimentRunner.PlannedRun, step: Int) {
        let now = clock()
        lock.withLock {
            state.advanceRun(id: run.id, to: step)
            guard let due = nextProgressLineAt[run.id], now >= due, let running = state.running[run.id] else { return }
            nextProgressLineAt[run.id] = now + interval
            output(ProgressLines.runProgress(running, at: now) + "\n")
        }
    }

    public func runEnded(_ run: ExperimentRunner.PlannedRun, _ ending: RunEnding) {
        lock.withLock {
            nextProgressLineAt[run.id] = nil
            let position = state.endRun(id: run.id, ending)
            output(ProgressLines.runEnd(label: run.label, id: run.id, ending, position: position, of: state.toTrain) + "\n")
        }
    }

    public func runTrainedElsewhere(_ run: ExperimentRunner.PlannedRun, by holder: String) {
        lock.withLock {
            let position = state.endElsewhere(id: run.id)
            output(ProgressLines.runElsewhere(label: run.label, holder: holder, position: position, of: state.toTrain) + "\n")
        }
    }

    public func runTakenOver(_ run: ExperimentRunner.PlannedRun, from holder: String) {
        lock.withLock { output(ProgressLines.takeOver(label: run.label, from: holder) + "\n") }
    }

    public func sweepEnded(interrupted: Bool) {
        let now = clock()
        lock.withLock {
            output(ProgressLines.summary(state, interrupted: interrupted, at: now) + "\n")
        }
    }
}
