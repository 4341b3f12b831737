import Foundation
import FulcrumExperiment

/// GradNorm's toy metric (Chen et al., 2018): on the test split, each task's loss after the last step
/// over its loss before the first, L_t(end)/L_t(0), and their sum. Only for experiments whose tasks are
/// all regressions: there the loss itself is what matters, and the ratio makes tasks of very different
/// scales comparable.
struct LossRatioSection {
    let data: ReportData
    let groups: [RunGroup]
    /// Whether the comparison reads the test split (a selection on validation leaves it unread).
    let readsTestSplit: Bool

    /// Whether the report has the table: every task a regression, and a comparison on the test split.
    var isShown: Bool {
        !data.experiment.tasks.isEmpty && data.experiment.tasks.allSatisfy { $0.kind == "regression" } && readsTestSplit
    }

    /// L_t(end)/L_t(0) on the test split of `run` for each of its own tasks; nil without both evaluations.
    func testLossRatios(_ run: StoredRun) -> [Double]? {
        guard let evaluations = data.testEvaluations[run.id], let start = evaluations.first(where: { $0.step == 0 }),
              let end = evaluations.last, end.step > 0, start.loss.count == end.loss.count else { return nil }
        return zip(end.loss, start.loss).map { $0 / $1 }
    }

    var lines: [String] {
        guard isShown else { return [] }
        let tasks = data.experiment.tasks
        // Per group: each task's mean ratio, then the mean and std of the per-run sums (runs of all the tasks only).
        let rows = groups.map { group -> (ratios: [Double], sum: (mean: Double, standardDeviation: Double)) in
            let members = data.runs.filter(group.contains)
            let ratios = tasks.indices.map { task in
                Statistics.mean(members.compactMap { run in
                    Comparison.position(of: task, in: run).flatMap { position in testLossRatios(run)?[position] }
                })
            }
            let sums = members.filter { ($0.tasks ?? Array(tasks.indices)) == Array(tasks.indices) }
                .compactMap { testLossRatios($0)?.reduce(0, +) }
            return (ratios, (Statistics.mean(sums), Statistics.standardDeviation(sums)))
        }
        let lowest = tasks.indices.map { task in rows.map { $0.ratios[task] }.filter { !$0.isNaN }.min() }
        let lowestSum = rows.map(\.sum.mean).filter { !$0.isNaN }.min()

        var lines = ["## Test loss relative to the start", "",
                     "Each task's test loss after the last step over its test loss before the first, L_t(end)/L_t(0), "
                     + "mean over seeds, and their sum Σ_t L_t(end)/L_t(0) (mean ± sample std over seeds): the metric of "
                     + "GradNorm's regression toy (Chen et al., 2018); lower is better, lowest mean per column in bold.", "",
                     "| policy |" + tasks.map { " \($0.name) |" }.joined() + " Σ_t L_t/L_t(0) |",
                     "|---|" + String(repeating: "---:|", count: tasks.count + 1)]
        for (group, row) in zip(groups, rows) {
            let cells = tasks.indices.map { ratio(row.ratios[$0], isBest: row.ratios[$0] == lowest[$0]) }
                + [ratio(row.sum.mean, standardDeviation: row.sum.standardDeviation, isBest: row.sum.mean == lowestSum)]
            lines.append("| \(group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

    private func ratio(_ mean: Double, standardDeviation: Double = .nan, isBest: Bool) -> String {
        guard !mean.isNaN else { return "—" }
        var text = String(format: "%.3f", mean)
        if !standardDeviation.isNaN { text += String(format: " ± %.3f", standardDeviation) }
        return isBest ? "**\(text)**" : text
    }
}
