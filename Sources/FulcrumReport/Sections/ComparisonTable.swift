import Foundation

/// The DTP paper's Table 1 with the statistics a reader needs to trust it: policy × task KPI, mean ±
/// sample std over seeds, the best policy per task in bold, a dagger where a policy differs from the
/// baseline at 5 % after Holm's correction across the report's tests, Δm (Maninis et al., 2019) and
/// the mean rank; then the 95 % confidence intervals (t and bootstrap) and the tests themselves.
struct ComparisonSection {
    let comparison: Comparison


    /// The comparison table: Markdown lines, no heading.
    var table: [String] {
        let rows = comparison.comparisonRows
        return table(rows, tests: comparison.baselineTests(rows))
    }

    private func table(_ rows: [ComparisonRow], tests: BaselineTests) -> [String] {
        let tasks = comparison.experiment.tasks.indices
        let contenders = rows.filter { !$0.group.isSingleTask }
        let best = ReportFormat.bestMeans(rows)
        let ranks = MeanRank.meanRanks(contenders.map(\.means), higherIsBetter: tasks.map { _ in true })
        let reference = rows.first.flatMap { comparison.deltaMReference(for: $0, in: rows) }?.label

        var header = "| policy |", rule = "|---|"
        for task in comparison.experiment.tasks {
            header += " \(task.name) (\(task.kpi)) |"
            rule += "---:|"
        }
        if let reference {
            header += " Δm vs \(reference) (%) |"
            rule += "---:|"
        }
        var lines = [header + " mean rank | seeds |", rule + "---:|---:|"]
        for row in rows {
            var line = "| \(row.group.label) |"
            for task in tasks {
                let dagger = tests.entry(row.group, task: task)?.isSignificant == true ? " †" : ""
                line += " \(ReportFormat.kpiCell(row, task, best: best))\(dagger) |"
            }
            if reference != nil {
                let deltaM = row.group.isSingleTask ? Double.nan : comparison.deltaMReference(for: row, in: rows).map {
                    RelativeChange.deltaM(row.means, reference: $0.means, lowerIsBetter: comparison.lowerIsBetter)
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
    var lines: [String] {
        let rows = comparison.comparisonRows
        guard !rows.isEmpty else { return [] }
        let tests = comparison.baselineTests(rows)
        let hasSingleTask = rows.contains(where: \.group.isSingleTask)
        var caption = "KPI in %: \(comparison.selectionSentence); mean ± sample std over seeds. Best "
            + (hasSingleTask ? "multi-task " : "") + "mean per task in bold"
        if let baseline = comparison.experiment.baseline {
            caption += tests.count == 0 ? "; no test against `\(baseline)` (a test needs two seeds of each)"
                : "; † differs from `\(baseline)` at p < 0.05 after \(tests.correctionPhrase) (two-sided t-tests, below)"
        }
        caption += ". "
        if let reference = rows.first.flatMap({ comparison.deltaMReference(for: $0, in: rows) })?.label {
            caption += "Δm: the mean over tasks of the relative change of the KPI against \(reference == "single-task" ? "the single-task runs" : "`\(reference)`"), "
                + "(1/T) Σ_t (M_t − M_ref,t)/M_ref,t in % (Maninis et al., 2019; every KPI here is higher-is-better). "
        }
        caption += "Mean rank: each policy's rank per task by mean KPI (1 = best, ties share), averaged over tasks"
            + (hasSingleTask ? "; single-task runs are references, not ranked." : ".")
        return ["## Comparison", "", caption, ""] + table(rows, tests: tests) + intervalSection(rows) + testSection(tests, rows: rows)
    }

    /// The 95 % confidence intervals of each mean: Student's t, and the percentile bootstrap, which
    /// does not take the seeds' KPIs to be normal.
    private func intervalSection(_ rows: [ComparisonRow]) -> [String] {
        var lines = ["", "### 95 % confidence intervals", "",
                     "Per task, in KPI %: Student's t interval of the mean over seeds, then (boot) the percentile bootstrap "
                     + "interval of the mean — \(ReportFormat.grouped(Bootstrap.resamples)) resamples of the seeds with replacement, "
                     + "drawn from a fixed seed (\(Bootstrap.seed)) so the report is reproducible. The bootstrap assumes no normal "
                     + "distribution: where the seeds split into two groups it stays inside their range, where the t interval "
                     + "spills out of it; with few seeds it is too narrow.", ""]
        lines += taskColumnsHeader
        for row in rows {
            let cells = comparison.experiment.tasks.indices.map { task -> String in
                let values = row.values(task)
                let t = Statistics.confidenceInterval(values), boot = Bootstrap.percentileInterval(values)
                return t.low.isNaN ? "—" : ReportFormat.interval(t) + " · boot " + ReportFormat.interval(boot)
            }
            lines.append("| \(row.group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

    /// The header of a table with a column per task after the policy's.
    private var taskColumnsHeader: [String] {
        ["| policy |" + comparison.experiment.tasks.map { " \($0.name) |" }.joined(), "|---|" + String(repeating: "---:|", count: comparison.experiment.tasks.count)]
    }

    /// Each row's difference from the baseline, with the test's raw and Holm-adjusted p-values.
    private func testSection(_ tests: BaselineTests, rows: [ComparisonRow]) -> [String] {
        guard let baseline = comparison.experiment.baseline, tests.count > 0 else { return [] }
        var lines = ["", "### Tests against `\(baseline)`", "",
                     "Per task: the difference from `\(baseline)` in KPI points; the two-sided p-value of a paired t-test over "
                     + "the seeds both ran (the same seed gives both the same initialisation and batches), or of Welch's "
                     + "t-test (marked W) where the finished seeds differ; then that p-value after \(tests.correctionPhrase) "
                     + "(Holm, 1979: the i-th smallest of the N p-values times N − i + 1, kept in order, at most 1). "
                     + "† where the corrected p < 0.05.", ""]
        lines += taskColumnsHeader
        for row in rows where comparison.experiment.tasks.indices.contains(where: { tests.entry(row.group, task: $0) != nil }) {
            let cells = comparison.experiment.tasks.indices.map { task -> String in
                guard let entry = tests.entry(row.group, task: task) else { return "—" }
                return String(format: "%+.1f · ", 100 * entry.difference) + ReportFormat.pValue(entry.test.pValue)
                    + (entry.test.kind == .welch ? " W" : "") + " · Holm " + ReportFormat.pValue(entry.adjustedP) + (entry.isSignificant ? " †" : "")
            }
            lines.append("| \(row.group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

}
