/// Set-up check: each policy trains at the step size of uniform weighting. Σ_t w_t scales every
/// gradient step; a policy whose weights shrink 30-fold also cuts its learning rate 30-fold, and the
/// comparison then measures that rather than how it balances the tasks.
extension ExperimentReport {
    /// Late Σw outside [low·T, high·T] is flagged.
    static let weightSumBounds = (low: 0.5, high: 2.0)

    var weightSumChecks: [String] {
        let curves = groups.filter { !$0.isSingleTask }.map { ($0, weightSumCurve($0)) }.filter { !$1.isEmpty }
        guard !curves.isEmpty else { return [] }
        let tasks = Double(experiment.tasks.count), bounds = Self.weightSumBounds
        var lines = ["- Step size: Σw, the sum of the task weights the trainer applied (mean over seeds), at the first recorded step and "
                     + String(format: "averaged over the last %.0f %% of training, against T = %d, the sum of uniform weights; ",
                              100 * Self.convergenceWindow, experiment.tasks.count)
                     + "a late Σw below \(Self.trimmed(bounds.low)) T or above \(Self.trimmed(bounds.high)) T fails (the policy trains "
                     + "at a different step size than uniform weighting):"]
        for (group, curve) in curves {
            let from = Double(curve.last!.step) * (1 - Self.convergenceWindow)
            let late = Statistics.mean(curve.filter { Double($0.step) >= from }.map(\.sum))
            let ratio = late / tasks
            let passed = ratio >= bounds.low && ratio <= bounds.high
            lines.append("  - \(Self.verdict(passed)) — \(group.label): \(Self.weightSum(curve[0].sum)) at step \(curve[0].step), "
                         + "\(Self.weightSum(late)) late (" + String(format: "%.2f", ratio) + " T)"
                         + (passed ? "." : ": trains at a different step size than uniform weighting."))
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
