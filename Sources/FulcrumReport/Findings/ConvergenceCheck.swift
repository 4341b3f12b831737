/// Set-up check: the runs end converged. A comparison of runs stopped while their curves still rise
/// measures speed, not where the policies lead; the design asks the baseline's validation KPIs to be
/// flat over the last 20 % of training.
extension FindingsSection {
    /// The end of training over which a converged curve is flat, as a share of it.
    static let convergenceWindow = 0.2
    /// How far (KPI units, 1 point) the mean curve may move there.
    static let convergenceTolerance = 0.01

    /// The baseline's rows (every row's without a baseline) and the single-task runs.
    var convergenceChecks: [String] {
        let checked = comparison.groups.filter { $0.policy == (comparison.experiment.baseline ?? $0.policy) || $0.isSingleTask }
        var lines = [String(format: "- Convergence: the range (max − min) of the mean over seeds of the validation KPI across the "
                            + "evaluations in the last %.0f %% of training (from %.0f %% of the last evaluation's step on), "
                            + "under %.0f point to pass:", 100 * Self.convergenceWindow, 100 * (1 - Self.convergenceWindow),
                            100 * Self.convergenceTolerance)]
        for group in checked {
            let curves = comparison.experiment.tasks.indices.map { validationCurve(group, task: $0) }
            guard let last = curves.compactMap({ $0.last?.step }).max() else { continue }
            let from = Int((Double(last) * (1 - Self.convergenceWindow)).rounded(.up))
            let evaluations = Set(curves.flatMap { $0.map(\.step) }.filter { $0 >= from }).count
            let steps = "steps \(from)–\(last) (\(evaluations) evaluation\(evaluations == 1 ? "" : "s"))"
            guard evaluations > 1 else {
                lines.append("  - not checked — \(group.label): \(steps); evaluate more often (`train.eval_every`) to check.")
                continue
            }
            var cells: [String] = [], passed = true
            for (task, curve) in curves.enumerated() where !curve.isEmpty {
                let window = curve.filter { $0.step >= from }.map(\.kpi)
                guard window.count > 1 else {
                    cells.append("\(comparison.experiment.tasks[task].name) — (not checked)")
                    continue
                }
                let range = window.max()! - window.min()!
                passed = passed && range < Self.convergenceTolerance
                cells.append("\(comparison.experiment.tasks[task].name) " + String(format: "%.2f", 100 * range)
                             + " (\(range < Self.convergenceTolerance ? "pass" : "fail"))")
            }
            lines.append("  - \(ReportFormat.verdict(passed)) — \(group.label), \(steps): " + cells.joined(separator: ", ") + " points.")
        }
        return lines.count > 1 ? lines : []
    }

    /// A row's validation KPI on `task` at each evaluation, the mean over its finished seeds.
    func validationCurve(_ group: RunGroup, task: Int) -> [(step: Int, kpi: Double)] {
        var byStep: [Int: [Double]] = [:]
        for run in comparison.runs where group.contains(run) && run.status == .finished {
            guard let position = Comparison.position(of: task, in: run) else { continue }
            for evaluation in comparison.validationEvaluations[run.id] ?? [] where position < evaluation.kpi.count && evaluation.kpi[position].isFinite {
                byStep[evaluation.step, default: []].append(evaluation.kpi[position])
            }
        }
        return byStep.keys.sorted().map { ($0, Statistics.mean(byStep[$0]!)) }
    }
}
