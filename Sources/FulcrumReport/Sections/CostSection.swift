import Foundation
import FulcrumExperiment

/// "## Cost": what the runs cost — training speed, the policy's share of it, wall time and memory, per
/// row of the comparison, over the runs that finished.
struct CostSection {
    let runs: [StoredRun]
    let groups: [RunGroup]
    /// The earlier generations of policies with generations (their rows show the last only): the
    /// search's price, counted apart.
    var searchRuns: [StoredRun] = []

    var lines: [String] {
        let finished = runs.filter { $0.status == .finished }
        guard !finished.isEmpty else { return [] }
        var lines = ["## Cost", "",
                     "Mean over the finished runs: training steps per second, time inside the policy per step (the Lua "
                     + "call, with its marshalling), wall time per run, peak resident memory of the process.", "",
                     "| policy | steps/s | policy µs/step | wall per run (s) | peak memory (MiB) | runs |",
                     "|---|---:|---:|---:|---:|---:|"]
        for group in groups {
            let members = finished.filter(group.contains)
            guard !members.isEmpty else { continue }
            func mean(_ value: @escaping (StoredRun) -> Double?) -> Double { Statistics.mean(members.compactMap(value)) }
            let cells = [
                Self.number(mean(\.stepsPerSecond), "%.1f"),
                Self.number(mean(\.policyMicrosecondsPerStep), "%.1f"),
                Self.number(mean(\.wallSeconds), "%.1f"),
                Self.number(mean { $0.peakMemoryBytes.map { Double($0) / 1_048_576 } }, "%.0f"),
            ]
            lines.append("| \(group.label) | " + cells.joined(separator: " | ") + " | \(members.count) |")
        }
        let total = finished.compactMap(\.wallSeconds).reduce(0, +)
        lines += ["", String(format: "Total training time %.0f s over %d runs (runs train in parallel, so the sweep took less).",
                             total, finished.count)]
        let search = searchRuns.filter { $0.status == .finished }
        if !search.isEmpty {
            let policies = Array(Set(search.map(\.policy))).sorted().map { "`\($0)`" }.joined(separator: ", ")
            let runs = "\(search.count) more run" + (search.count == 1 ? "" : "s")
            lines.append(String(format: "Before their last generation, %@ trained %@ in %.0f s (the search's cost, not in the table).",
                                policies, runs, search.compactMap(\.wallSeconds).reduce(0, +)))
        }
        return lines
    }

    static func number(_ value: Double, _ format: String) -> String {
        value.isNaN ? "—" : String(format: format, value)
    }
}
