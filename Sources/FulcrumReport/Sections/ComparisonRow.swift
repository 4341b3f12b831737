import FulcrumExperiment
import FulcrumCore

/// One row of the comparison: a policy at one sweep point, with each task's selected KPI per seed
/// that finished.
struct ComparisonRow {
    let group: RunGroup
    /// kpis[task]: seed → KPI, for the finished runs that have the task.
    let kpis: [[UInt64: Double]]
    /// Runs planned for the group (finished or not).
    let planned: Int

    func values(_ task: Int) -> [Double] { kpis[task].keys.sorted().map { kpis[task][$0]! } }
    func mean(_ task: Int) -> Double { Statistics.mean(values(task)) }
    var means: [Double] { kpis.indices.map(mean) }
    /// The most seeds any task finished with.
    var seedsFinished: Int { kpis.map(\.count).max() ?? 0 }

    /// The test of this row against `baseline` on `task`: paired over the seeds when both rows
    /// finished the same seeds (the same seed gives both policies the same initialisation and batch
    /// order, so the pairing removes that variance), Welch's t-test otherwise.
    func test(against baseline: ComparisonRow, task: Int) -> TTest? {
        let mine = kpis[task], theirs = baseline.kpis[task]
        if Set(mine.keys) == Set(theirs.keys) {
            let seeds = mine.keys.sorted()
            return TTest.paired(seeds.map { mine[$0]! }, seeds.map { theirs[$0]! })
        }
        return TTest.welch(values(task), baseline.values(task))
    }
}

extension Comparison {
    /// One row per group from each finished run's KPIs as `reading` gives them.
    func rows(reading: (StoredRun) -> [Double?]) -> [ComparisonRow] {
        let tasks = experiment.tasks.indices
        return groups.map { group in
            let members = runs.filter(group.contains)
            var kpis = tasks.map { _ in [UInt64: Double]() }
            for run in members where run.status == .finished {
                for (task, kpi) in reading(run).enumerated() {
                    if let kpi, kpi.isFinite { kpis[task][run.seed] = kpi }
                }
            }
            return ComparisonRow(group: group, kpis: kpis, planned: max(members.count, experiment.seeds.count))
        }
    }

    /// The baseline policy's row to test `row` against: the baseline at the same sweep point, else
    /// at the same setting of everything but policy options, else its only row.
    func baselineRow(for row: ComparisonRow, in rows: [ComparisonRow]) -> ComparisonRow? {
        guard let baseline = experiment.baseline else { return nil }
        let candidates = rows.filter { $0.group.policy == baseline }
        return candidates.first { $0.group.point == row.group.point }
            ?? candidates.first { $0.group.point.shared == row.group.point.shared }
            ?? (candidates.count == 1 ? candidates[0] : nil)
    }

    /// The reference Δm is measured against: the single-task runs of every task when the experiment
    /// has them (at the row's sweep point, else the only ones of the task), else the baseline's row.
    func deltaMReference(for row: ComparisonRow, in rows: [ComparisonRow]) -> (label: String, means: [Double])? {
        let singles = rows.filter(\.group.isSingleTask)
        if !singles.isEmpty {
            let means = experiment.tasks.enumerated().map { task, spec -> Double in
                let ofTask = singles.filter { $0.group.point.singleTask == spec.name }
                let reference = ofTask.first { $0.group.point.shared == row.group.point.shared }
                    ?? (ofTask.count == 1 ? ofTask[0] : nil)
                return reference?.mean(task) ?? .nan
            }
            if !means.contains(where: \.isNaN) { return ("single-task", means) }
        }
        return baselineRow(for: row, in: rows).map { ($0.group.policy, $0.means) }
    }
}
