import Foundation
import FulcrumExperiment
import FulcrumTestSupport
import Testing

@Suite("Sweep progress display")
struct ProgressDisplayTests {
    let scratch = ScratchDirectory()
    let clock = FakeClock()
    let output = CapturedOutput()

    /// Planned runs "equal seed 1" … "equal seed N": labels of one length, so the live block's
    /// label column needs no padding and the expected lines can interpolate the labels.
    func plannedRuns(seeds: Int) throws -> [ExperimentRunner.PlannedRun] {
        let seedList = "[" + (1...seeds).map(String.init).joined(separator: ", ") + "]"
        let manifest = try Manifest.load(scratch.write("m.yaml", tinyManifest(
            seeds: seedList, policies: "  equal: { script: \(repositoryRoot)/policies/equal.lua }")))
        let store = try RunStore(path: "\(scratch.path)/store.sqlite")
        return ExperimentRunner(manifest: manifest, store: store).plannedRuns
    }

    func logProgress(interval: Double = 30) -> LogLineProgress {
        LogLineProgress(interval: interval, output: output.write, clock: clock.read)
    }

    func terminalProgress(_ size: TerminalSize = TerminalSize(columns: 80, rows: 24)) -> TerminalProgress {
        TerminalProgress(output: output.write, clock: clock.read, terminalSize: { size }, refreshesInBackground: false)
    }

    // MARK: Log lines

    @Test func logLinesTellTheWholeSweepOneLinePerEvent() throws {
        let runs = try plannedRuns(seeds: 4)
        let (a, b, c, skipped) = (runs[0], runs[1], runs[2], runs[3])
        let progress = logProgress()
        progress.sweepStarted(toTrain: 3, skipped: [skipped])
        progress.runStarted(a, totalSteps: 1500)
        progress.runStarted(b, totalSteps: 100)
        clock.now = 10
        progress.runAdvanced(a, step: 500)
        clock.now = 30
        progress.runAdvanced(a, step: 1000)
        clock.now = 40
        progress.runAdvanced(a, step: 1200)
        clock.now = 42
        progress.runEnded(a, RunEnding(status: .finished, wallSeconds: 42, stepsPerSecond: 35.71, policyMicrosecondsPerStep: 3.14))
        clock.now = 45
        progress.runEnded(b, RunEnding(status: .failed, error: "policy equal step 5: boom\n  equal.lua:3: in weights", wallSeconds: 45))
        progress.runStarted(c, totalSteps: 500)
        clock.now = 50
        progress.runEnded(c, RunEnding(status: .diverged, error: "loss of task level is NaN", divergedStep: 412, wallSeconds: 5))
        clock.now = 63
        progress.sweepEnded(interrupted: false)

        #expect(output.lines == [
            "3 runs to train, 1 skipped (finished earlier; --force reruns them)",
            "start  \(a.label) (run \(a.id))",
            "start  \(b.label) (run \(b.id))",
            "       \(a.label): step 1000/1500 (66 %), ETA 15 s",
            "[1/3] done   \(a.label) in 42 s, 35.7 steps/s, policy 3.1 µs/step",
            "[2/3] FAILED \(b.label) (run \(b.id)) after 45 s: policy equal step 5: boom | equal.lua:3: in weights",
            "start  \(c.label) (run \(c.id))",
            "[3/3] DIVERGED \(c.label) (run \(c.id)) at step 412 after 5.0 s: loss of task level is NaN",
            "sweep done: finished 1, failed 1, diverged 1, interrupted 0, skipped 1 in 1 min 3 s",
        ])
        #expect(!output.text.contains("\u{1B}"), "no escape codes in a log")
    }

    @Test func anInterruptedSweepCountsTheRunsItNeverStarted() throws {
        let runs = try plannedRuns(seeds: 3)
        let progress = logProgress()
        progress.sweepStarted(toTrain: 3, skipped: [])
        progress.runStarted(runs[0], totalSteps: 100)
        clock.now = 2.5
        progress.runEnded(runs[0], RunEnding(status: .interrupted, wallSeconds: 2.5))
        progress.sweepEnded(interrupted: true)

        #expect(output.lines.suffix(2) == [
            "[1/3] INTERRUPTED \(runs[0].label) (run \(runs[0].id)) after 2.5 s",
            "sweep interrupted: finished 0, failed 0, diverged 0, interrupted 1, skipped 0, not started 2 in 2.5 s",
        ])
    }

    @Test func aLaterRoundCountsItsOwnRuns() throws {
        let runs = try plannedRuns(seeds: 3)
        let progress = logProgress()
        progress.sweepStarted(toTrain: 2, skipped: [])
        for run in runs.prefix(2) {
            progress.runStarted(run, totalSteps: 100)
            progress.runEnded(run, RunEnding(status: .finished, wallSeconds: 1))
        }
        progress.sweepEnded(interrupted: false)
        // The next generation's round.
        progress.sweepStarted(toTrain: 1, skipped: [])
        progress.runStarted(runs[2], totalSteps: 100)
        progress.runEnded(runs[2], RunEnding(status: .failed, error: "boom", wallSeconds: 1))
        progress.sweepEnded(interrupted: false)
        #expect(output.lines.suffix(2) == [
            "[1/1] FAILED \(runs[2].label) (run \(runs[2].id)) after 1.0 s: boom",
            "sweep done: finished 0, failed 1, diverged 0, interrupted 0, skipped 0 in 0.0 s",
        ])
    }

    @Test func aRunGetsAProgressLineOnlyOnceItsIntervalHasPassed() throws {
        let runs = try plannedRuns(seeds: 2)
        let progress = logProgress(interval: 30)
        progress.sweepStarted(toTrain: 2, skipped: [])
        progress.runStarted(runs[0], totalSteps: 1000)
        clock.now = 20
        progress.runStarted(runs[1], totalSteps: 1000)
        output.clear()

        let steps: [(time: Double, run: Int, step: Int)] = [
            (29.9, 0, 100), (30, 0, 101), (30.5, 0, 102), (49.9, 1, 50), (50, 1, 51), (59.9, 0, 200), (60, 0, 201),
        ]
        for (time, run, step) in steps {
            clock.now = time
            progress.runAdvanced(runs[run], step: step)
        }
        #expect(output.lines.map { $0.components(separatedBy: ": step ")[1] } == [
            "101/1000 (10 %), ETA 4 min 25 s",   // 30 s / 101 steps × 899 left = 267 s, to 5 s
            "51/1000 (5 %), ETA 9 min 20 s",     // the second run's clock started at 20 s: 30 / 51 × 949 = 558 s
            "201/1000 (20 %), ETA 4 min",        // 60 / 201 × 799 = 238.5 s, to 5 s
        ])
    }

    // MARK: Terminal

    @Test func theLiveBlockShowsCountsBarsAndEstimates() throws {
        let runs = try plannedRuns(seeds: 3)
        let (a, b, c) = (runs[0], runs[1], runs[2])
        let progress = terminalProgress()
        progress.sweepStarted(toTrain: 3, skipped: [])
        #expect(Screen.after(output.text) == ["3 runs to train", "runs: 0/3 done · 0 running · ETA –"])

        progress.runStarted(a, totalSteps: 1500)
        progress.runStarted(b, totalSteps: 1000)
        clock.now = 10
        progress.runAdvanced(a, step: 500)
        progress.runAdvanced(b, step: 200)
        progress.refresh()
        // Nothing finished yet: a run takes the running runs' mean projection, (30 + 50) / 2 = 40 s;
        // left: 20 + 40 + one queued 40 = 100 s over 2 running.
        #expect(Screen.after(output.text) == [
            "3 runs to train",
            "runs: 0/3 done · 2 running · ETA 50 s",
            "  \(a.label)  ██████░░░░░░░░░░░░░░   500/1500   33 %  ETA 20 s",
            "  \(b.label)  ████░░░░░░░░░░░░░░░░   200/1000   20 %  ETA 40 s",
        ])

        clock.now = 20
        progress.runEnded(a, RunEnding(status: .finished, wallSeconds: 20))
        progress.runStarted(c, totalSteps: 1000)
        clock.now = 21
        progress.runAdvanced(b, step: 420)
        progress.refresh()
        // Now a run takes what the finished one did, 20 s: c, 1 s in and without a step, has 19 s
        // left; b has 21 / 420 × 580 = 29 s, the longest, which bounds the sweep.
        #expect(Screen.after(output.text) == [
            "3 runs to train",
            "[1/3] done   \(a.label) in 20 s",
            "runs: 1/3 done · 2 running · ETA 29 s",
            "  \(b.label)  ████████░░░░░░░░░░░░   420/1000   42 %  ETA 29 s",
            "  \(c.label)  ░░░░░░░░░░░░░░░░░░░░     0/1000    0 %  ETA –",
        ])

        clock.now = 22
        progress.runEnded(b, RunEnding(status: .failed, error: "boom", wallSeconds: 22))
        #expect(Screen.after(output.text).suffix(2) == [
            "runs: 2/3 done · 1 running · 1 failed · ETA 18 s",
            "  \(c.label)  ░░░░░░░░░░░░░░░░░░░░     0/1000    0 %  ETA –",
        ])
    }

    @Test func theSweepEstimateSharesTheWorkAmongTheWorkersNotTheRunsOfTheMoment() throws {
        let runs = try plannedRuns(seeds: 3)
        let progress = terminalProgress()
        progress.sweepStarted(toTrain: 5, skipped: [])
        for run in runs { progress.runStarted(run, totalSteps: 100) }
        clock.now = 10
        progress.runAdvanced(runs[1], step: 50)
        progress.runAdvanced(runs[2], step: 50)
        progress.runEnded(runs[0], RunEnding(status: .finished, wallSeconds: 10))
        // Between this run's end and its worker's next start, 2 run; the sweep has 3 workers.
        // Left: 10 + 10 + 2 queued × 10 = 40 s over 3 workers, not 2.
        #expect(Screen.after(output.text)[2] == "runs: 1/5 done · 2 running · ETA 13 s")
    }

    @Test func whenTheSweepEndsOnlyThePermanentLinesAndTheSummaryRemain() throws {
        let runs = try plannedRuns(seeds: 2)
        let progress = terminalProgress()
        progress.sweepStarted(toTrain: 2, skipped: [])
        progress.runStarted(runs[0], totalSteps: 100)
        progress.runStarted(runs[1], totalSteps: 100)
        clock.now = 1
        progress.runAdvanced(runs[0], step: 50)
        progress.refresh()
        clock.now = 2
        progress.runEnded(runs[0], RunEnding(status: .finished, wallSeconds: 2, stepsPerSecond: 50))
        clock.now = 3
        progress.runEnded(runs[1], RunEnding(status: .diverged, divergedStep: 7, wallSeconds: 3))
        clock.now = 4
        progress.sweepEnded(interrupted: false)

        #expect(Screen.after(output.text) == [
            "2 runs to train",
            "[1/2] done   \(runs[0].label) in 2.0 s, 50.0 steps/s",
            "[2/2] DIVERGED \(runs[1].label) (run \(runs[1].id)) at step 7 after 3.0 s",
            "sweep done: finished 1, failed 0, diverged 1, interrupted 0, skipped 0 in 4.0 s",
        ])
        output.clear()
        progress.refresh()
        #expect(output.text.isEmpty, "nothing is drawn after the sweep ended")
    }

    @Test func theBlockAloneIsRedrawnAtMostFiveTimesASecond() throws {
        let runs = try plannedRuns(seeds: 1)
        let progress = terminalProgress()
        progress.sweepStarted(toTrain: 1, skipped: [])
        progress.runStarted(runs[0], totalSteps: 100)
        clock.now = 10
        progress.refresh()
        output.clear()

        clock.now = 10.1
        progress.runAdvanced(runs[0], step: 1)
        progress.refresh()
        #expect(output.text.isEmpty)
        clock.now = 10.25
        progress.refresh()
        #expect(output.text.hasPrefix("\u{1B}[2A\r\u{1B}[J"), "moves up over the 2-line block and clears it")
        #expect(Screen.after(output.text).last?.contains("1/100") == true)
    }

    @Test func linesAreCutToTheTerminalWidthLessOneColumn() throws {
        let runs = try plannedRuns(seeds: 3)
        let progress = terminalProgress(TerminalSize(columns: 30, rows: 24))
        progress.sweepStarted(toTrain: 3, skipped: [])
        progress.runStarted(runs[0], totalSteps: 1500)
        clock.now = 10
        progress.runAdvanced(runs[0], step: 500)
        progress.refresh()

        let block = Screen.after(output.text).dropFirst()
        #expect(Array(block) == [
            "runs: 0/3 done · 1 running ·…",
            "  \(runs[0].label)  ██████░░░░░░…",
        ])
        #expect(block.allSatisfy { $0.count == 29 })
    }

    @Test func runsBeyondTheScreenHeightAreCountedOnOneLine() throws {
        let runs = try plannedRuns(seeds: 3)
        let progress = terminalProgress(TerminalSize(columns: 80, rows: 4))
        progress.sweepStarted(toTrain: 3, skipped: [])
        for run in runs { progress.runStarted(run, totalSteps: 10) }
        clock.now = 1
        progress.refresh()

        let block = Array(Screen.after(output.text).dropFirst())
        #expect(block.count == 3, "one row short of the 4-row screen")
        #expect(block[1].hasPrefix("  \(runs[0].label)"))
        #expect(block[2] == "  … 2 more running")
    }

    // MARK: Threads

    @Test func logLinesStayConsistentUnderConcurrentRuns() throws {
        let runs = try plannedRuns(seeds: 4)
        let progress = logProgress()
        progress.sweepStarted(toTrain: 4, skipped: [])
        for run in runs { progress.runStarted(run, totalSteps: 10_000) }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for step in 1...10_000 { progress.runAdvanced(runs[worker], step: step) }
            progress.runEnded(runs[worker], RunEnding(status: .finished, wallSeconds: 1))
        }
        progress.sweepEnded(interrupted: false)

        let counters = output.lines.filter { $0.hasPrefix("[") }.map { $0.prefix(5) }
        #expect(counters == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"], "each ending counted once, written in counter order")
        #expect(output.lines.last == "sweep done: finished 4, failed 0, diverged 0, interrupted 0, skipped 0 in 0.0 s")
    }

    @Test func theLiveBlockHoldsEveryStepRecordedConcurrently() throws {
        let runs = try plannedRuns(seeds: 4 + 4 * 10)
        let (long, short) = (Array(runs.prefix(4)), Array(runs.dropFirst(4)))
        let progress = terminalProgress()
        progress.sweepStarted(toTrain: runs.count, skipped: [])
        for run in long { progress.runStarted(run, totalSteps: 10_000) }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for step in 1...10_000 {
                progress.runAdvanced(long[worker], step: step)
                // Short runs come and go meanwhile, so the runs' table changes under the advances.
                if step % 1000 == 0 {
                    let run = short[worker * 10 + step / 1000 - 1]
                    progress.runStarted(run, totalSteps: 10)
                    progress.runAdvanced(run, step: 10)
                    progress.runEnded(run, RunEnding(status: .finished, wallSeconds: 0))
                }
            }
        }
        clock.now = 1
        progress.refresh()

        let block = Array(Screen.after(output.text).suffix(5))
        #expect(block[0] == "runs: 40/44 done · 4 running · ETA 0 s")
        for (line, run) in zip(block.dropFirst(), long) {
            #expect(line == "  \(run.label)  ████████████████████  10000/10000  100 %  ETA 0 s")
        }
        let counters = Screen.after(output.text).filter { $0.hasPrefix("[") }.map { $0.prefix { $0 != " " } }
        #expect(counters == (1...40).map { "[\($0)/44]" })
    }

    // MARK: Choosing and formatting

    @Test func theCLIGetsTheLiveBlockOnlyOnATerminal() {
        #expect(makeProgressDisplay(interactive: true) is TerminalProgress)
        #expect(makeProgressDisplay(interactive: false) is LogLineProgress)
    }

    @Test(arguments: [
        (0.04, "0.0 s"), (4.24, "4.2 s"), (9.96, "10 s"), (42.4, "42 s"), (59.7, "1 min"), (63, "1 min 3 s"),
        (3599.4, "59 min 59 s"), (3600, "1 h"), (7500, "2 h 5 min"), (-1, "0.0 s"), (.nan, "–"),
    ])
    func durationsReadInTheUnitThatFits(seconds: Double, text: String) {
        #expect(DurationText.describe(seconds) == text)
    }

    @Test(arguments: [
        (nil, "–"), (0.4, "0 s"), (12.4, "12 s"), (59.6, "1 min"), (72, "1 min 10 s"), (598, "10 min"),
        (754, "13 min"), (7500, "2 h 5 min"), (.infinity, "–"),
    ] as [(Double?, String)])
    func estimatesAreRoundedCoarserThanMeasurements(seconds: Double?, text: String) {
        #expect(DurationText.estimate(seconds) == text)
    }
}

// MARK: Test doubles

/// A clock the test moves by hand.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 0.0

    var now: Double {
        get { lock.withLock { seconds } }
        set { lock.withLock { seconds = newValue } }
    }

    var read: @Sendable () -> Double { { self.now } }
}

/// Everything a display wrote, in order.
final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var written = ""

    var write: @Sendable (String) -> Void { { text in self.lock.withLock { self.written += text } } }
    var text: String { lock.withLock { written } }
    var lines: [String] { text.split(separator: "\n").map(String.init) }
    func clear() { lock.withLock { written = "" } }
}

/// What a terminal shows after receiving `text`: just the codes the live block uses — cursor up
/// (ESC[nA), carriage return, clear to end of screen (ESC[J) — and newline as the tty sends it (CR LF).
enum Screen {
    static func after(_ text: String) -> [String] {
        var rows: [[Character]] = [[]]
        var (row, column) = (0, 0)
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            switch character {
            case "\n":
                row += 1
                column = 0
                if row == rows.count { rows.append([]) }
            case "\r":
                column = 0
            case "\u{1B}":
                #expect(characters.popFirst() == "[")
                var count = ""
                while let digit = characters.first, digit.isNumber { count.append(characters.removeFirst()) }
                switch characters.popFirst() {
                case "A": row = max(row - (Int(count) ?? 1), 0)
                case "J":
                    rows[row].removeSubrange(min(column, rows[row].count)...)
                    rows.removeSubrange((row + 1)...)
                case let other: Issue.record("unexpected escape code ESC[\(count)\(String(describing: other))")
                }
            default:
                while rows[row].count < column { rows[row].append(" ") }
                if column < rows[row].count { rows[row][column] = character } else { rows[row].append(character) }
                column += 1
            }
        }
        if rows.last?.isEmpty == true { rows.removeLast() }   // the line the cursor waits on
        return rows.map { String($0) }
    }
}
