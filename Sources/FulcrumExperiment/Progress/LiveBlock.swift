/// The block `TerminalProgress` redraws in place: a header, then one line per running run.
///
///     runs: 3/9 done · 2 running · 1 failed · ETA 1 min 10 s
///       dtp seed 2   ███████░░░░░░░░░░░░░   700/1500   46 %  ETA 12 s
///       dtp seed 3   ██░░░░░░░░░░░░░░░░░░   150/1500   10 %  ETA 55 s
///
/// Pure: state and time in, lines out, so tests compare exact text.
enum LiveBlock {
    static let barWidth = 20

    /// - Parameters:
    ///   - columns: the widest a line may be; longer lines are cut and end in "…".
    ///   - rows: the most lines the block may take; runs beyond it are counted on one line, because
    ///     a block taller than the screen cannot be moved back over.
    static func lines(_ state: ProgressState, at now: Double, columns: Int, rows: Int) -> [String] {
        let runs = state.runningInStartOrder
        let shown = runs.count <= rows - 1 ? runs : Array(runs.prefix(max(rows - 2, 0)))
        let labelWidth = shown.map(\.label.count).max() ?? 0
        var lines = [header(state, at: now)]
        lines += shown.map { runLine($0, labelWidth: labelWidth, at: now) }
        if shown.count < runs.count { lines.append("  … \(runs.count - shown.count) more running") }
        return lines.map { truncated($0, to: columns) }
    }

    static func header(_ state: ProgressState, at now: Double) -> String {
        var parts = ["runs: \(state.ended)/\(state.toTrain) done", "\(state.running.count) running"]
        for status in [StoredRun.Status.failed, .diverged, .interrupted] where state.count(status) > 0 {
            parts.append("\(state.count(status)) \(status.rawValue)")
        }
        parts.append("ETA \(DurationText.estimate(state.sweepRemainingSeconds(at: now)))")
        return parts.joined(separator: " · ")
    }

    static func runLine(_ run: ProgressState.RunningRun, labelWidth: Int, at now: Double) -> String {
        let label = run.label + String(repeating: " ", count: max(labelWidth - run.label.count, 0))
        let total = String(run.totalSteps)
        let steps = leftPadded(String(run.step), to: total.count) + "/" + total
        let percent = leftPadded(String(run.percent), to: 3) + " %"
        let eta = "ETA " + DurationText.estimate(run.remainingSeconds(at: now))
        return "  \(label)  \(bar(run.percent))  \(steps)  \(percent)  \(eta)"
    }

    static func bar(_ percent: Int) -> String {
        let filled = min(max(percent * barWidth / 100, 0), barWidth)
        return String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
    }

    /// Cuts by characters: every character this block prints takes one cell.
    static func truncated(_ line: String, to columns: Int) -> String {
        guard line.count > columns else { return line }
        guard columns > 1 else { return String(line.prefix(max(columns, 0))) }
        return line.prefix(columns - 1) + "…"
    }

    private static func leftPadded(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }
}
