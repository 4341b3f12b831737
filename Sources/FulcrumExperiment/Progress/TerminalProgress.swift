import Foundation

/// Sweep progress for a terminal: the permanent lines of `LogLineProgress` for the sweep's start,
/// each run's end and the summary scroll up above a live block (see `LiveBlock`) that is redrawn in
/// place — the cursor moves back up over the old block, clears to the end of the screen, and the
/// new block is printed. When the sweep ends the block is erased; only the permanent lines remain.
///
/// Redraws come from events (a run ending, which prints above the block) and from `refresh()`,
/// which a background thread calls every `refreshInterval` seconds so progress moves even while a
/// long step runs; `runAdvanced` only records the step.
public final class TerminalProgress: SweepObserver, @unchecked Sendable {
    private static let escape = "\u{1B}["

    public let refreshInterval: Double
    private let output: @Sendable (String) -> Void
    private let clock: @Sendable () -> Double
    private let terminalSize: @Sendable () -> TerminalSize
    private let refreshesInBackground: Bool
    // Guards everything below; text is written while holding it, so a redraw never interleaves with
    // another and the cursor arithmetic (`blockHeight`) matches what is on screen.
    private let lock = NSLock()
    private var state = ProgressState()
    /// Lines of the live block now on screen, with the cursor on the line below them.
    private var blockHeight = 0
    private var lastDrawAt = -Double.infinity
    /// Between `sweepStarted` and `sweepEnded`: only then is there a block to draw.
    private var live = false

    /// - Parameters:
    ///   - output: receives text with escape codes; standard output by default.
    ///   - clock: seconds, monotonic; tests pass a fake one.
    ///   - terminalSize: asked at every redraw, so a resized window is followed.
    ///   - refreshInterval: the least time between two redraws of the block alone (5 a second).
    ///   - refreshesInBackground: start a thread that calls `refresh()`; tests turn it off and call
    ///     `refresh()` themselves.
    public init(output: @escaping @Sendable (String) -> Void = ProgressDevice.standardOutput,
                clock: @escaping @Sendable () -> Double = ProgressDevice.monotonicClock(),
                terminalSize: @escaping @Sendable () -> TerminalSize = ProgressDevice.standardOutputSize,
                refreshInterval: Double = 0.2,
                refreshesInBackground: Bool = true) {
        self.output = output
        self.clock = clock
        self.terminalSize = terminalSize
        self.refreshInterval = refreshInterval
        self.refreshesInBackground = refreshesInBackground
    }

    public func sweepStarted(toTrain count: Int, skipped: [ExperimentRunner.PlannedRun]) {
        let now = clock()
        lock.withLock {
            state.startSweep(toTrain: count, skipped: skipped.count, at: now)
            live = true
            redraw(above: [ProgressLines.sweepStart(toTrain: count, skipped: skipped.count)], at: now)
        }
        if refreshesInBackground { startRefreshThread() }
    }

    public func runStarted(_ run: ExperimentRunner.PlannedRun, totalSteps: Int) {
        let now = clock()
        lock.withLock { state.startRun(id: run.id, label: run.label, totalSteps: totalSteps, at: now) }
    }

    /// Every step: one dictionary update under the lock, nothing else.
    public func runAdvanced(_ run: ExperimentRunner.PlannedRun, step: Int) {
        lock.withLock { state.advanceRun(id: run.id, to: step) }
    }

    public func runEnded(_ run: ExperimentRunner.PlannedRun, _ ending: RunEnding) {
        let now = clock()
        lock.withLock {
            let position = state.endRun(id: run.id, ending)
            // The block must be redrawn under the new permanent line whatever the throttle says,
            // or it would stay erased until the next refresh.
            redraw(above: [ProgressLines.runEnd(label: run.label, id: run.id, ending, position: position, of: state.toTrain)], at: now)
        }
    }

    public func runTrainedElsewhere(_ run: ExperimentRunner.PlannedRun, by holder: String) {
        let now = clock()
        lock.withLock {
            let position = state.endElsewhere(id: run.id)
            redraw(above: [ProgressLines.runElsewhere(label: run.label, holder: holder, position: position, of: state.toTrain)], at: now)
        }
    }

    public func runTakenOver(_ run: ExperimentRunner.PlannedRun, from holder: String) {
        let now = clock()
        lock.withLock { redraw(above: [ProgressLines.takeOver(label: run.label, from: holder)], at: now) }
    }

    public func sweepEnded(interrupted: Bool) {
        let now = clock()
        lock.withLock {
            live = false
            output(eraseBlock() + ProgressLines.summary(state, interrupted: interrupted, at: now) + "\n")
        }
    }

    /// Redraws the block if the sweep is live and the last redraw is `refreshInterval` old.
    public func refresh() {
        _ = refreshIfLive()
    }

    /// Returns false once the sweep has ended, which stops the refresh thread.
    private func refreshIfLive() -> Bool {
        let now = clock()
        return lock.withLock {
            guard live else { return false }
            if now - lastDrawAt >= refreshInterval { redraw(above: [], at: now) }
            return true
        }
    }

    /// Call with the lock held: erases the block, prints `permanent` lines where it was, and draws
    /// the block anew below them, in one write so the terminal never shows a half-drawn state.
    private func redraw(above permanent: [String], at now: Double) {
        let size = terminalSize()
        // One column and one row short of the screen: a line filling the last column makes some
        // terminals wrap at once, and a block as tall as the screen scrolls its top out of reach —
        // either would break the cursor-up count.
        let block = LiveBlock.lines(state, at: now, columns: size.columns - 1, rows: size.rows - 1)
        output(eraseBlock() + (permanent + block).map { $0 + "\n" }.joined())
        blockHeight = block.count
        lastDrawAt = now
    }

    /// Call with the lock held: the escape codes that take the cursor back to the block's first line
    /// and clear from there to the end of the screen.
    private func eraseBlock() -> String {
        defer { blockHeight = 0 }
        return blockHeight > 0 ? "\(Self.escape)\(blockHeight)A\r\(Self.escape)J" : ""
    }

    private func startRefreshThread() {
        let thread = Thread { [weak self, refreshInterval] in
            while true {
                Thread.sleep(forTimeInterval: refreshInterval)
                guard let self, self.refreshIfLive() else { return }
            }
        }
        thread.name = "fulcrum progress refresh"
        thread.start()
    }
}
