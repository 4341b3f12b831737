import FulcrumExperiment

/// "## Runs that did not finish": failed, diverged, interrupted or still running, with their errors.
struct UnfinishedRunsSection {
    let runs: [StoredRun]

    var lines: [String] {
        let failed = runs.filter { $0.status != .finished }
        guard !failed.isEmpty else { return [] }
        var lines = ["## Runs that did not finish", "",
                     "Failed (the policy or the trainer raised an error), diverged (a loss became NaN or infinite), "
                     + "interrupted or still running; their seeds are left out of the tables above.", "",
                     "| policy | seed | status | at step | error |", "|---|---:|---|---:|---|"]
        for run in failed.sorted(by: { ($0.policy, $0.point.json, $0.seed) < ($1.policy, $1.point.json, $1.seed) }) {
            let error = (run.error ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            let label = RunGroup(policy: run.policy, point: run.point).label
            lines.append("| \(label) | \(run.seed) | \(run.status.rawValue) | \(run.divergedStep ?? run.stepsDone) | `\(error)` |")
        }
        return lines
    }
}
