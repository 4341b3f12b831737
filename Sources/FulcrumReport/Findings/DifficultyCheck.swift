import FulcrumExperiment

/// Set-up check: the tasks are as hard as the experiment claims (`report.difficulty`). A paper analog
/// whose easy task is hard here compares something else; the order is checked on the validation KPI
/// the calibration may look at, for the baseline and the single-task runs only.
extension FindingsSection {
    var difficultyChecks: [String] {
        guard let expectation = comparison.experiment.difficulty else { return [] }
        let rows = comparison.rows { comparison.finalKPIs(of: $0, split: .validation) }
        let singles = singleTaskSets(rows)
        var lines: [String] = []
        let order = expectation.order.compactMap { name in comparison.experiment.tasks.firstIndex { $0.name == name } }
        if order.count >= 2 {
            lines.append("- Difficulty (`report.difficulty`), on the validation KPI after the last step in %, with its 95 % t interval: "
                         + order.map { comparison.experiment.tasks[$0].name }.joined(separator: " > ")
                         + (expectation.minimumGap > 0 ? String(format: ", easiest first, each gap at least %.1f points and the intervals apart.",
                                                                expectation.minimumGap) : ", easiest first, with the intervals apart."))
            var checked = rows.filter { $0.group.policy == comparison.experiment.baseline }.map { row in
                (label: row.group.label, values: { (task: Int) in row.values(task) })
            }
            checked += singles.map { set in (label: set.label, values: { (task: Int) in set.rows[task]?.values(task) ?? [] }) }
            if checked.isEmpty { lines.append("  - not checked — no `report.baseline` and no single-task runs.") }
            for row in checked { lines.append("  - " + Self.orderLine(row.label, order: order, values: row.values, names: comparison.experiment.tasks.map(\.name),
                                                                       minimumGap: expectation.minimumGap)) }
        }
        if let maximum = expectation.maximumSingleTask {
            lines.append(maximumLine(maximum, singles: singles))
        }
        return lines
    }

    /// "**fail** — uniform: classification 67.0 [64.6, 69.4], …; gaps −6.6 (fail: wrong order), …".
    static func orderLine(_ label: String, order: [Int], values: (Int) -> [Double], names: [String], minimumGap: Double) -> String {
        let kpis = order.map { values($0) }
        var gaps: [String] = [], passed = true
        for (easier, harder) in zip(kpis, kpis.dropFirst()) {
            let gap = 100 * (Statistics.mean(easier) - Statistics.mean(harder))
            let a = Statistics.confidenceInterval(easier), b = Statistics.confidenceInterval(harder)
            let failure: String? = gap.isNaN ? "no runs"
                : gap < 0 ? "wrong order"
                : gap < minimumGap ? String(format: "below %.1f", minimumGap)
                : a.low.isNaN || b.low.isNaN ? "one seed, no interval"
                : a.low <= b.high ? "95 % intervals overlap" : nil
            passed = passed && failure == nil
            gaps.append((gap.isNaN ? "—" : ReportFormat.signed(gap)) + " (" + (failure.map { "fail: \($0)" } ?? "pass") + ")")
        }
        let measured = zip(order, kpis).map { task, values -> String in
            let mean = Statistics.mean(values)
            guard !mean.isNaN else { return "\(names[task]) —" }
            let t = Statistics.confidenceInterval(values)
            return "\(names[task]) " + String(format: "%.1f", 100 * mean) + (t.low.isNaN ? "" : " " + ReportFormat.interval(t))
        }
        return "\(ReportFormat.verdict(passed)) — \(label): " + measured.joined(separator: ", ") + "; gaps " + gaps.joined(separator: ", ") + "."
    }

    /// `max_single_task`: no single-task run's mean validation KPI above it.
    private func maximumLine(_ maximum: Double, singles: [(label: String, rows: [Int: ComparisonRow])]) -> String {
        let limit = String(format: "%.1f %%", 100 * maximum)
        let measured = singles.flatMap { set in
            set.rows.sorted { $0.key < $1.key }.map { task, row in
                (name: comparison.experiment.tasks[task].name + (singles.count > 1 ? " (\(set.label))" : ""), mean: row.mean(task))
            }
        }.filter { !$0.mean.isNaN }
        guard !measured.isEmpty else {
            return "- not checked — no single-task KPI above \(limit) (`report.difficulty.max_single_task`): no single-task runs."
        }
        let above = measured.filter { $0.mean > maximum }
        let text = { (items: [(name: String, mean: Double)]) in
            items.map { $0.name + String(format: " %.1f %%", 100 * $0.mean) }.joined(separator: ", ")
        }
        guard above.isEmpty else {
            return "- **fail** — single-task validation KPI above \(limit) (`report.difficulty.max_single_task`): \(text(above))."
        }
        let highest = measured.max { $0.mean < $1.mean }!
        return "- **pass** — no single-task validation KPI above \(limit) (`report.difficulty.max_single_task`); the highest: \(text([highest]))."
    }

    /// The single-task rows, one set per setting of everything but the task (one set without a
    /// sweep), each by the experiment task it trains.
    func singleTaskSets(_ rows: [ComparisonRow]) -> [(label: String, rows: [Int: ComparisonRow])] {
        var sets: [(label: String, rows: [Int: ComparisonRow])] = []
        for row in rows where row.group.isSingleTask {
            guard let name = row.group.point.singleTask, let task = comparison.experiment.tasks.firstIndex(where: { $0.name == name }) else { continue }
            let label = RunGroup(policy: "single-task", point: row.group.point.removing(.singleTask)).label
            if let index = sets.firstIndex(where: { $0.label == label }) { sets[index].rows[task] = row }
            else { sets.append((label, [task: row])) }
        }
        return sets
    }
}
