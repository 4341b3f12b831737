/// Set-up check: no policy's step size drifts over training. Σ_t w_t scales every gradient step.
/// Adam (and the other adaptive optimisers) divide a constant scale of the loss away, but not one that
/// changes while their moment estimates still remember the old scale (Adam's second moment: ~1 000
/// steps): weights whose sum falls 30-fold also cut the effective learning rate, and the comparison
/// then measures that rather than how the policy balances the tasks. So the check compares late Σw
/// with Σw at the start; the ratio to T (uniform weighting's sum) is shown too, as under plain SGD a
/// constant Σw ≠ T changes the step size as well.
extension FindingsSection {
    /// Late Σw outside [low, high] × the first step's is flagged.
    static let weightSumBounds = (low: 0.5, high: 2.0)

    var weightSumChecks: [String] {
        let curves = comparison.groups.filter { !$0.isSingleTask }.map { ($0, comparison.weightSumCurve($0)) }.filter { !$1.isEmpty }
        guard !curves.isEmpty else { return [] }
        let tasks = Double(comparison.experiment.tasks.count), bounds = Self.weightSumBounds
        var lines = ["- Step size: Σw, the sum of the task weights the trainer applied (mean over seeds), at the first recorded step and "
                     + String(format: "averaged over the last %.0f %% of training; ", 100 * Self.convergenceWindow)
                     + "a late Σw below \(Self.trimmed(bounds.low)) or above \(Self.trimmed(bounds.high)) times the first fails — "
                     + "adaptive optimisers such as Adam cancel a constant scale of the loss, not one that drifts during training. "
                     + "In brackets: late Σw over the first, and over T = \(comparison.experiment.tasks.count), the sum of uniform weights "
                     + "(which matters under plain SGD):"]
        for (group, curve) in curves {
            let from = Double(curve.last!.step) * (1 - Self.convergenceWindow)
            let late = Statistics.mean(curve.filter { Double($0.step) >= from }.map(\.sum))
            let drift = curve[0].sum > 0 ? late / curve[0].sum : .infinity
            let passed = drift >= bounds.low && drift <= bounds.high
            lines.append("  - \(ReportFormat.verdict(passed)) — \(group.label): \(Self.weightSum(curve[0].sum)) at step \(curve[0].step), "
                         + "\(Self.weightSum(late)) late (×" + String(format: "%.2f", drift) + "; " + String(format: "%.2f", late / tasks) + " T)"
                         + (passed ? "." : ": its step size drifts over training."))
        }
        return lines
    }

    /// Two decimals, or two significant digits for a sum below 0.01.
    static func weightSum(_ value: Double) -> String {
        String(format: abs(value) >= 0.01 || value == 0 ? "%.2f" : "%.2g", value)
    }

    /// "0.5", "2".
    static func trimmed(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
