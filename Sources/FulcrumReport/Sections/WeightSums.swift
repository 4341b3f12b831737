/// Σ_t w_t over training: the scale of the step a weighting takes. Uniform weights sum to T; a policy
/// whose weights sum to T/30 trains at a thirtieth of the learning rate (Adam's second moment adapts
/// only over its ~1 000-step memory), which can decide a comparison more than the weights' balance.
extension Comparison {
    /// The sum of one run's weights at each recorded step, in step order (steps with a non-finite weight
    /// are left out).
    static func weightSums(_ series: [(step: Int, task: Int, weight: Double)]) -> [(step: Int, sum: Double)] {
        var sums: [(step: Int, sum: Double)] = []
        var broken = false
        for row in series {
            if sums.last?.step != row.step {
                if broken { sums.removeLast() }
                sums.append((row.step, 0))
                broken = false
            }
            if row.weight.isFinite { sums[sums.count - 1].sum += row.weight } else { broken = true }
        }
        if broken { sums.removeLast() }
        return sums
    }

    /// A row's Σw at each recorded step, the mean over its finished seeds; empty without step series.
    func weightSumCurve(_ group: RunGroup) -> [(step: Int, sum: Double)] {
        var byStep: [Int: [Double]] = [:]
        for run in runs where group.contains(run) {
            for point in weightSums[run.id] ?? [] { byStep[point.step, default: []].append(point.sum) }
        }
        return byStep.keys.sorted().map { ($0, Statistics.mean(byStep[$0]!)) }
    }
}
