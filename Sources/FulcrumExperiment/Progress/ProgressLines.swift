import Foundation

/// The permanent lines both displays print, one per event, so a log and a terminal scrollback read
/// the same and `grep FAILED` works on either.
enum ProgressLines {
    static func sweepStart(toTrain: Int, skipped: Int) -> String {
        let runs = toTrain == 1 ? "1 run to train" : "\(toTrain) runs to train"
        return skipped == 0 ? runs : "\(runs), \(skipped) skipped (finished earlier; --force reruns them)"
    }

    static func runStart(label: String, id: String) -> String {
        "start  \(label) (run \(id))"
    }

    /// Indented under "start  " so a run's lines line up in a log.
    static func runProgress(_ run: ProgressState.RunningRun, at now: Double) -> String {
        "       \(run.label): step \(run.step)/\(run.totalSteps) (\(run.percent) %), "
            + "ETA \(DurationText.estimate(run.remainingSeconds(at: now)))"
    }

    /// "[3/9] done   dtp seed 2 in 4.2 s, 357 steps/s, policy 3.1 µs/step", or FAILED / DIVERGED /
    /// INTERRUPTED with the run id (to look it up in the store) and the error.
    static func runEnd(label: String, id: String, _ ending: RunEnding, position: Int, of total: Int) -> String {
        let counter = "[\(position)/\(total)]"
        let after = DurationText.describe(ending.wallSeconds)
        switch ending.status {
        case .finished:
            var line = "\(counter) done   \(label) in \(after)"
            if let rate = ending.stepsPerSecond { line += ", \(decimal(rate)) steps/s" }
            if let policy = ending.policyMicrosecondsPerStep { line += ", policy \(decimal(policy)) µs/step" }
            return line
        case .failed:
            return "\(counter) FAILED \(label) (run \(id)) after \(after)" + errorSuffix(ending)
        case .diverged:
            let step = ending.divergedStep.map { " at step \($0)" } ?? ""
            return "\(counter) DIVERGED \(label) (run \(id))\(step) after \(after)" + errorSuffix(ending)
        case .interrupted:
            return "\(counter) INTERRUPTED \(label) (run \(id)) after \(after)" + errorSuffix(ending)
        case .running:
            // Not an ending the runner reports; printed plainly rather than trapped on.
            return "\(counter) ENDED  \(label) (run \(id)) after \(after)" + errorSuffix(ending)
        }
    }

    /// "[4/9] elsewhere dtp seed 3: trained by host pid 4242" — another process on the store had it.
    static func runElsewhere(label: String, holder: String, position: Int, of total: Int) -> String {
        "[\(position)/\(total)] elsewhere \(label): trained by \(holder)"
    }

    /// Printed before a run's start line when its last holder was gone.
    static func takeOver(label: String, from holder: String) -> String {
        "take over \(label) from \(holder) (gone: killed, or its heartbeat expired); it trains afresh"
    }

    /// "sweep done: finished 7, failed 1, diverged 1, interrupted 0, skipped 2 in 1 min 3 s".
    static func summary(_ state: ProgressState, interrupted: Bool, at now: Double) -> String {
        var counts = [StoredRun.Status.finished, .failed, .diverged, .interrupted].map { "\($0.rawValue) \(state.count($0))" }
        counts.append("skipped \(state.skipped)")
        if state.elsewhere > 0 { counts.append("by other processes \(state.elsewhere)") }
        let notStarted = state.queued
        if notStarted > 0 { counts.append("not started \(notStarted)") }
        let outcome = interrupted ? "sweep interrupted" : "sweep done"
        return "\(outcome): \(counts.joined(separator: ", ")) in \(DurationText.describe(state.elapsedSeconds(at: now)))"
    }

    /// Errors can carry a Lua traceback; folded onto one line so each event stays one line.
    private static func errorSuffix(_ ending: RunEnding) -> String {
        guard let error = ending.error, !error.isEmpty else { return "" }
        let oneLine = error.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " | ")
        return ": " + oneLine
    }

    /// Three significant figures' worth: "357", "42.5", "3.1".
    private static func decimal(_ value: Double) -> String {
        String(format: value >= 100 ? "%.0f" : "%.1f", value)
    }
}
