import Foundation
import FulcrumCore
import FulcrumExperiment

/// What a report compares: the experiment's runs read once (`ReportData`), grouped into rows (each
/// policy at each sweep point, `RunGroup`) with the KPI `selection` reads, computed once. Every
/// section and figure of the report reads this value; the statistics, the baseline and Δm reference
/// of a row, and the weights' sums live here because more than one section needs them.
public struct Comparison {
    /// Everything the report shows, read from the store once.
    public let data: ReportData
    public var experiment: StoredExperiment { data.experiment }
    public var runs: [StoredRun] { data.runs }
    /// Which KPI of each run the comparison reads.
    public let selection: KPISelection
    public var validationEvaluations: [String: [StoredEvaluation]] { data.validationEvaluations }
    /// Final validation evaluation of each finished run, by run id.
    public let finalEvaluations: [String: StoredEvaluation]
    public var testEvaluations: [String: [StoredEvaluation]] { data.testEvaluations }
    public var finalTestEvaluations: [String: StoredEvaluation] { data.finalTestEvaluations }
    /// Σ_t w_t, the sum of the weights the trainer applied, at each recorded step of each finished
    /// multi-task run, by run id (the Findings' step-size check and its figure).
    let weightSums: [String: [(step: Int, sum: Double)]]
    /// The report's rows: each policy at each sweep point, in a fixed order (`RunGroup.groups`).
    public let groups: [RunGroup]
    /// The comparison's rows, in the groups' order, with the KPIs `selection` reads.
    private(set) var comparisonRows: [ComparisonRow] = []

    public init(_ data: ReportData, selection: KPISelection = .final) {
        self.data = data
        self.selection = selection
        groups = RunGroup.groups(of: data.runs, policyOrder: data.experiment.policies, taskOrder: data.experiment.tasks.map(\.name))
        finalEvaluations = data.validationEvaluations.compactMapValues(\.last)
        weightSums = data.stepWeights.mapValues(Self.weightSums).filter { !$0.value.isEmpty }
        comparisonRows = rows(reading: selectedKPIs)
    }

    /// Mean and sample standard deviation of the final KPI of `policy` on task `task`, over finished seeds.
    public func finalKPI(policy: String, task: Int, split: EvaluationSplit = .validation) -> (mean: Double, standardDeviation: Double, seeds: Int) {
        let values = runs.filter { $0.policy == policy && $0.status == .finished }.compactMap { finalKPIs(of: $0, split: split)[task] }
        return (Statistics.mean(values), Statistics.standardDeviation(values), values.count)
    }

    /// Every KPI is higher-is-better (`TaskKPI`), so Δm's sign flips for no task.
    var lowerIsBetter: [Bool] { experiment.tasks.map { _ in false } }

    /// Where the experiment's task `task` is in `run`'s own series: a single-task run holds its task only.
    static func position(of task: Int, in run: StoredRun) -> Int? {
        guard let positions = run.tasks else { return task }
        return positions.firstIndex(of: task)
    }

    /// Policy × task final KPI on `split`, with the seeds that finished (the validation KPI section and
    /// notebooks).
    func kpiTable(_ split: EvaluationSplit) -> [String] {
        let rows = rows { finalKPIs(of: $0, split: split) }
        let best = ReportFormat.bestMeans(rows)
        let tasks = experiment.tasks
        var lines = ["| policy |" + tasks.map { " \($0.name) (\($0.kpi)) |" }.joined() + " seeds |",
                     "|---|" + String(repeating: "---:|", count: tasks.count) + "---:|"]
        for row in rows {
            lines.append("| \(row.group.label) |" + tasks.indices.map { " \(ReportFormat.kpiCell(row, $0, best: best)) |" }.joined()
                         + " \(row.seedsFinished)/\(row.planned) |")
        }
        return lines
    }
}
