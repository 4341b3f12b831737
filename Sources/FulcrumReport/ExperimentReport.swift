import Foundation
import FulcrumExperiment

/// The Markdown report of one experiment: policy × task final validation KPI, mean ± std over seeds.
public struct ExperimentReport {
    public let experiment: StoredExperiment
    public let runs: [StoredRun]
    /// Final evaluation of each finished run, by run id.
    public let finalEvaluations: [String: StoredEvaluation]

    public enum ReportError: Error, CustomStringConvertible {
        case unknownExperiment(String, known: [String])

        public var description: String {
            switch self {
            case let .unknownExperiment(name, known):
                "no experiment '\(name)' in the store" + (known.isEmpty ? " (it is empty: run a manifest first)" : "; known: \(known.joined(separator: ", "))")
            }
        }
    }

    public init(experimentNamed name: String, store: RunStore) throws {
        guard let experiment = try store.experiment(named: name) else {
            throw ReportError.unknownExperiment(name, known: try store.experimentNames())
        }
        self.experiment = experiment
        runs = try store.runs(of: experiment)
        var finals: [String: StoredEvaluation] = [:]
        for run in runs where run.status == .finished {
            finals[run.id] = try store.evaluations(ofRun: run.id).last
        }
        finalEvaluations = finals
    }

    /// The report's rows: each policy at each sweep point.
    public var groups: [RunGroup] { RunGroup.groups(of: runs, policyOrder: experiment.policies) }

    /// Mean and sample standard deviation of the final KPI of `policy` on task `task`, over finished seeds.
    public func finalKPI(policy: String, task: Int) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        summarise(runs.filter { $0.policy == policy }, task: task)
    }

    /// The same for one group (a policy at one sweep point).
    public func finalKPI(_ group: RunGroup, task: Int) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        summarise(runs.filter(group.contains), task: task)
    }

    private func summarise(_ runs: [StoredRun], task: Int) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        // A single-task run holds its own task only.
        let values = runs.compactMap { run -> Double? in
            guard let evaluation = finalEvaluations[run.id] else { return nil }
            guard let positions = run.tasks else { return evaluation.kpi[task] }
            return positions.firstIndex(of: task).map { evaluation.kpi[$0] }
        }
        return (Statistics.mean(values), Statistics.standardDeviation(values), values.count)
    }

    public var markdown: String {
        var lines: [String] = ["# \(experiment.name)", ""]
        if !experiment.description.isEmpty { lines += [experiment.description.trimmingCharacters(in: .whitespacesAndNewlines), ""] }
        lines.append("Manifest `\(experiment.manifestPath)` (sha256 `\(experiment.manifestHash.prefix(12))`), "
                     + "\(experiment.steps) steps, seeds \(experiment.seeds.map(String.init).joined(separator: ", ")).")
        lines += ["", "## Final validation KPI", ""]
        lines.append("KPI in %, mean ± sample std over seeds, after the last step; best mean per task in bold.")
        lines.append("")
        lines += kpiTable
        let failed = runs.filter { $0.status != .finished }
        if !failed.isEmpty {
            lines += ["", "## Runs that did not finish", "", "| policy | seed | status | at step | error |", "|---|---:|---|---:|---|"]
            for run in failed.sorted(by: { ($0.policy, $0.variant, $0.seed) < ($1.policy, $1.variant, $1.seed) }) {
                let error = (run.error ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
                let label = RunGroup(policy: run.policy, variant: run.variant).label
                lines.append("| \(label) | \(run.seed) | \(run.status.rawValue) | \(run.stepsDone) | `\(error)` |")
            }
        }
        lines += ["", "_Written by `fulcrum report \(experiment.name)` from the run store._", ""]
        return lines.joined(separator: "\n")
    }

    private var kpiTable: [String] {
        let tasks = experiment.tasks
        var header = "| policy |"
        var rule = "|---|"
        for task in tasks {
            header += " \(task.name) (\(task.kpi)) |"
            rule += "---:|"
        }
        var lines = [header + " seeds |", rule + "---:|"]
        let groups = groups
        let best = tasks.indices.map { task in
            groups.map { finalKPI($0, task: task).mean }.filter { !$0.isNaN }.max()
        }
        for group in groups {
            var row = "| \(group.label) |"
            var seedsFinished = 0
            for task in tasks.indices {
                let kpi = finalKPI(group, task: task)
                seedsFinished = max(seedsFinished, kpi.seeds)
                row += " \(formatted(kpi, isBest: kpi.mean == best[task])) |"
            }
            let planned = runs.filter(group.contains).count
            lines.append(row + " \(seedsFinished)/\(max(planned, experiment.seeds.count)) |")
        }
        return lines
    }

    private func formatted(_ kpi: (mean: Double, standardDeviation: Double, seeds: Int), isBest: Bool) -> String {
        guard !kpi.mean.isNaN else { return "—" }
        var text = String(format: "%.1f", 100 * kpi.mean)
        if !kpi.standardDeviation.isNaN { text += String(format: " ± %.1f", 100 * kpi.standardDeviation) }
        return isBest ? "**\(text)**" : text
    }

    /// Writes the report to `path`, creating its directory.
    public func write(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try markdown.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
