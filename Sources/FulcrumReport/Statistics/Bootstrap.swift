import FulcrumCore

/// The percentile bootstrap interval of a mean (Efron, 1979): resample the seeds with replacement,
/// take each resample's mean, and read the interval off their quantiles. Unlike Student's t it
/// assumes no normal distribution, so when runs split into two groups (a task that trains in some
/// seeds and never starts in others) it stays inside the values' range where the t interval spills
/// far out. With few seeds it is too narrow (it cannot see beyond the values it has).
public enum Bootstrap {
    /// Resamples per interval: the quantiles' Monte-Carlo error is then well below the 0.1 points
    /// a report prints.
    public static let resamples = 10_000
    /// Every interval draws from this fixed seed, so a report gives the same intervals for the same
    /// values on every run, whatever the row order.
    public static let seed: UInt64 = 1979

    /// The two-sided percentile interval of the mean at `level`: the (1 − level)/2 and (1 + level)/2
    /// quantiles (linear interpolation between order statistics, numpy's default) of `resamples`
    /// means of n values drawn with replacement. (nan, nan) for fewer than two values, a non-finite
    /// value or a level outside (0, 1).
    public static func percentileInterval(_ values: [Double], level: Double = 0.95, resamples: Int = resamples,
                                          seed: UInt64 = seed) -> (low: Double, high: Double) {
        guard values.count > 1, values.allSatisfy(\.isFinite), level > 0, level < 1, resamples > 0 else { return (.nan, .nan) }
        // Means about the first value: a constant sample resamples to exactly its value.
        let shift = values[0], deviations = values.map { $0 - shift }
        let count = UInt64(values.count), lowest = values.min()!, highest = values.max()!
        var generator = SeededGenerator(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for resample in means.indices {
            var sum = 0.0
            for _ in 0..<count { sum += deviations[Int(generator.next() % count)] }
            // Clamped: rounding must not put a mean outside the values' range.
            means[resample] = min(max(shift + sum / Double(count), lowest), highest)
        }
        means.sort()
        return (quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2))
    }

    /// The q-quantile of sorted values, interpolating linearly between the order statistics.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return fraction == 0 ? sorted[below] : sorted[below] + fraction * (sorted[above] - sorted[below])
    }
}
