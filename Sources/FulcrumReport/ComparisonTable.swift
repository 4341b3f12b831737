import Foundation

/// The DTP paper's Table 1 with the statistics a reader needs to trust it: policy × task KPI, mean ±
/// sample std over seeds, the best policy per task in bold, a dagger where a policy differs from the
/// baseline at p < 0.05, Δm (Maninis et al., 2019) and the mean rank; then the 95 % confidence
/// intervals and the tests themselves.
extension ExperimentReport {
    /// Every KPI is higher-is-better (`TaskKPI`), so Δm's sign flips for no task.
    private var lowerIsBetter: [Bool] { experiment.tasks.map { _ in false } }

    /// The comparison table: Markdown lines, no heading.
    public var comparisonTable: [String] { comparisonTable(comparisonRows) }

    private func comparisonTable(_ rows: [ComparisonRow]) -> [String] {
        let tasks = experiment.tasks.indices
        let contenders = rows.filter { !$0.group.isSingleTask }
        let best = Self.bestMeans(rows)
        let ranks = MeanRank.meanRanks(contenders.map(\.means), higherIsBetter: tasks.map { _ in true })
        let reference = rows.first.flatMap { deltaMReference(for: $0, in: rows) }?.label

        var header = "| policy |", rule = "|---|"
        for task in experiment.tasks {
            header += " \(task.name) (\(task.kpi)) |"
            rule += "---:|"
        }
        if let reference {
            header += " Δm vs \(reference) (%) |"
            rule += "---:|"
        }
        var lines = [header + " mean rank | seeds |", rule + "---:|---:|"]
        for row in rows {
            let baseline = baselineRow(for: row, in: rows)
            var line = "| \(row.group.label) |"
            for task in tasks {
                var cell = Self.kpiCell(row, task, best: best)
                if let baseline, baseline.group != row.group, !row.group.isSingleTask,
                   let test = row.test(against: baseline, task: task), test.pValue < 0.05 {
                    cell += " †"
                }
                line += " \(cell) |"
            }
            if reference != nil {
                let deltaM = row.group.isSingleTask ? Double.nan : deltaMReference(for: row, in: rows).map {
                    RelativeChange.deltaM(row.means, reference: $0.means, lowerIsBetter: lowerIsBetter)
                } ?? .nan
                line += " \(deltaM.isNaN ? "—" : String(format: "%+.2f", deltaM)) |"
            }
            let rank = contenders.firstIndex { $0.group == row.group }.map { ranks[$0] } ?? .nan
            line += " \(rank.isNaN ? "—" : String(format: "%.2f", rank)) | \(row.seedsFinished)/\(row.planned) |"
            lines.append(line)
        }
        return lines
    }

    /// "## Comparison": what the numbers are, the table, then the intervals and tests.
    var comparisonSection: [String] {
        let rows = comparisonRows
        guard !rows.isEmpty else { return [] }
        let hasSingleTask = rows.contains(where: \.group.isSingleTask)
        var caption = "KPI in %: \(selectionSentence); mean ± sample std over seeds. Best "
            + (hasSingleTask ? "multi-task " : "") + "mean per task in bold"
        if let baseline = experiment.baseline {
            caption += "; † differs from `\(baseline)` at p < 0.05 (two-sided t-test, below)"
        }
        caption += ". "
        if let reference = rows.first.flatMap({ deltaMReference(for: $0, in: rows) })?.label {
            caption += "Δm: the mean over tasks of the relative change of the KPI against \(reference == "single-task" ? "the single-task runs" : "`\(reference)`"), "
                + "(1/T) Σ_t (M_t − M_ref,t)/M_ref,t in % (Maninis et al., 2019; every KPI here is higher-is-better). "
        }
        caption += "Mean rank: each policy's rank per task by mean KPI (1 = best, ties share), averaged over tasks"
            + (hasSingleTask ? "; single-task runs are references, not ranked." : ".")
        return ["## Comparison", "", caption, ""] + comparisonTable(rows) + confidenceSection(rows)
    }

    /// The 95 % confidence interval of each mean, and each policy's difference from the baseline with
    /// its p-value.
    private func confidenceSection(_ rows: [ComparisonRow]) -> [String] {
        let tasks = experiment.tasks.indices
        var lines = ["", "### 95 % confidence intervals" + (experiment.baseline.map { " and tests against `\($0)`" } ?? ""), ""]
        var text = "Student's t interval of the mean over seeds, in KPI %"
        if let baseline = experiment.baseline {
            text += "; then the difference from `\(baseline)` in KPI points and the two-sided p-value of a paired t-test over "
                + "the seeds both ran (the same seed gives both the same initialisation and batches), or of Welch's "
                + "t-test (marked W) where the finished seeds differ"
        }
        lines += [text + ".", ""]
        lines.append("| policy |" + experiment.tasks.map { " \($0.name) |" }.joined())
        lines.append("|---|" + String(repeating: "---:|", count: experiment.tasks.count))
        for row in rows {
            let baseline = row.group.isSingleTask ? nil : baselineRow(for: row, in: rows)
            let cells = tasks.map { task -> String in
                let interval = Statistics.confidenceInterval(row.values(task))
                var cell = interval.low.isNaN ? "—" : String(format: "[%.1f, %.1f]", 100 * interval.low, 100 * interval.high)
                if let baseline, baseline.group != row.group, let test = row.test(against: baseline, task: task) {
                    let difference = 100 * (row.mean(task) - baseline.mean(task))
                    cell += String(format: " · %+.1f, ", difference) + Self.pValue(test.pValue)
                        + (test.kind == .welch ? " W" : "")
                }
                return cell
            }
            lines.append("| \(row.group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

    /// Per task, the best mean of a multi-task row: single-task runs are references, not contenders.
    static func bestMeans(_ rows: [ComparisonRow]) -> [Double?] {
        let contenders = rows.filter { !$0.group.isSingleTask }
        return (rows.first?.kpis.indices ?? 0..<0).map { task in contenders.map { $0.mean(task) }.filter { !$0.isNaN }.max() }
    }

    /// "63.9 ± 1.2", in bold when it is the task's best.
    static func kpiCell(_ row: ComparisonRow, _ task: Int, best: [Double?]) -> String {
        let values = row.values(task)
        let cell = percent(Statistics.mean(values), Statistics.standardDeviation(values))
        return !row.group.isSingleTask && best[task] != nil && row.mean(task) == best[task] ? "**\(cell)**" : cell
    }

    /// "63.9 ± 1.2" in %; "63.9" for one seed; "—" for none.
    static func percent(_ mean: Double, _ standardDeviation: Double) -> String {
        guard !mean.isNaN else { return "—" }
        let text = String(format: "%.1f", 100 * mean)
        return standardDeviation.isNaN ? text : text + String(format: " ± %.1f", 100 * standardDeviation)
    }

    static func pValue(_ p: Double) -> String {
        p.isNaN ? "p = —" : p < 0.001 ? "p < 0.001" : String(format: "p = %.3f", p)
    }
}
