import Foundation

/// The DTP paper's Table 1 with the statistics a reader needs to trust it: policy × task KPI, mean ±
/// sample std over seeds, the best policy per task in bold, a dagger where a policy differs from the
/// baseline at 5 % after Holm's correction across the report's tests, Δm (Maninis et al., 2019) and
/// the mean rank; then the 95 % confidence intervals (t and bootstrap) and the tests themselves.
extension ExperimentReport {
    /// Every KPI is higher-is-better (`TaskKPI`), so Δm's sign flips for no task.
    var lowerIsBetter: [Bool] { experiment.tasks.map { _ in false } }

    /// The comparison table: Markdown lines, no heading.
    public var comparisonTable: [String] {
        let rows = comparisonRows
        return comparisonTable(rows, tests: baselineTests(rows))
    }

    private func comparisonTable(_ rows: [ComparisonRow], tests: BaselineTests) -> [String] {
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
            var line = "| \(row.group.label) |"
            for task in tasks {
                let dagger = tests.entry(row.group, task: task)?.isSignificant == true ? " †" : ""
                line += " \(Self.kpiCell(row, task, best: best))\(dagger) |"
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
        let tests = baselineTests(rows)
        let hasSingleTask = rows.contains(where: \.group.isSingleTask)
        var caption = "KPI in %: \(selectionSentence); mean ± sample std over seeds. Best "
            + (hasSingleTask ? "multi-task " : "") + "mean per task in bold"
        if let baseline = experiment.baseline {
            caption += tests.count == 0 ? "; no test against `\(baseline)` (a test needs two seeds of each)"
                : "; † differs from `\(baseline)` at p < 0.05 after \(tests.correctionPhrase) (two-sided t-tests, below)"
        }
        caption += ". "
        if let reference = rows.first.flatMap({ deltaMReference(for: $0, in: rows) })?.label {
            caption += "Δm: the mean over tasks of the relative change of the KPI against \(reference == "single-task" ? "the single-task runs" : "`\(reference)`"), "
                + "(1/T) Σ_t (M_t − M_ref,t)/M_ref,t in % (Maninis et al., 2019; every KPI here is higher-is-better). "
        }
        caption += "Mean rank: each policy's rank per task by mean KPI (1 = best, ties share), averaged over tasks"
            + (hasSingleTask ? "; single-task runs are references, not ranked." : ".")
        return ["## Comparison", "", caption, ""] + comparisonTable(rows, tests: tests) + intervalSection(rows) + testSection(tests, rows: rows)
    }

    /// The 95 % confidence intervals of each mean: Student's t, and the percentile bootstrap, which
    /// does not take the seeds' KPIs to be normal.
    private func intervalSection(_ rows: [ComparisonRow]) -> [String] {
        var lines = ["", "### 95 % confidence intervals", "",
                     "Per task, in KPI %: Student's t interval of the mean over seeds, then (boot) the percentile bootstrap "
                     + "interval of the mean — \(Self.grouped(Bootstrap.resamples)) resamples of the seeds with replacement, "
                     + "drawn from a fixed seed (\(Bootstrap.seed)) so the report is reproducible. The bootstrap assumes no normal "
                     + "distribution: where the seeds split into two groups it stays inside their range, where the t interval "
                     + "spills out of it; with few seeds it is too narrow.", ""]
        lines += taskColumnsHeader
        for row in rows {
            let cells = experiment.tasks.indices.map { task -> String in
                let values = row.values(task)
                let t = Statistics.confidenceInterval(values), boot = Bootstrap.percentileInterval(values)
                return t.low.isNaN ? "—" : Self.interval(t) + " · boot " + Self.interval(boot)
            }
            lines.append("| \(row.group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

    /// The header of a table with a column per task after the policy's.
    private var taskColumnsHeader: [String] {
        ["| policy |" + experiment.tasks.map { " \($0.name) |" }.joined(), "|---|" + String(repeating: "---:|", count: experiment.tasks.count)]
    }

    /// Each row's difference from the baseline, with the test's raw and Holm-adjusted p-values.
    private func testSection(_ tests: BaselineTests, rows: [ComparisonRow]) -> [String] {
        guard let baseline = experiment.baseline, tests.count > 0 else { return [] }
        var lines = ["", "### Tests against `\(baseline)`", "",
                     "Per task: the difference from `\(baseline)` in KPI points; the two-sided p-value of a paired t-test over "
                     + "the seeds both ran (the same seed gives both the same initialisation and batches), or of Welch's "
                     + "t-test (marked W) where the finished seeds differ; then that p-value after \(tests.correctionPhrase) "
                     + "(Holm, 1979: the i-th smallest of the N p-values times N − i + 1, kept in order, at most 1). "
                     + "† where the corrected p < 0.05.", ""]
        lines += taskColumnsHeader
        for row in rows where experiment.tasks.indices.contains(where: { tests.entry(row.group, task: $0) != nil }) {
            let cells = experiment.tasks.indices.map { task -> String in
                guard let entry = tests.entry(row.group, task: task) else { return "—" }
                return String(format: "%+.1f · ", 100 * entry.difference) + Self.pValue(entry.test.pValue)
                    + (entry.test.kind == .welch ? " W" : "") + " · Holm " + Self.pValue(entry.adjustedP) + (entry.isSignificant ? " †" : "")
            }
            lines.append("| \(row.group.label) |" + cells.map { " \($0) |" }.joined())
        }
        return lines
    }

    /// "10 000": digits in groups of three.
    static func grouped(_ number: Int) -> String {
        var digits = String(number.magnitude), groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        return (number < 0 ? "-" : "") + ([digits] + groups).joined(separator: " ")
    }

    /// "[57.0, 67.0]" in %.
    static func interval(_ interval: (low: Double, high: Double)) -> String {
        interval.low.isNaN ? "—" : String(format: "[%.1f, %.1f]", 100 * interval.low, 100 * interval.high)
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
