/// The five numbers a box plot draws, and how many values they summarise.
public struct BoxSummary: Sendable, Equatable {
    public let median: Double
    public let lowerQuartile: Double
    public let upperQuartile: Double
    public let minimum: Double
    public let maximum: Double
    public let count: Int

    /// Type-7 quantiles (numpy/R default), whiskers at the extremes; nil for no values. Non-finite values
    /// are left out (and not counted): a diverged seed should not turn the whole box into NaN.
    public init?(values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard let first = sorted.first, let last = sorted.last else { return nil }
        self.init(median: Self.quantile(sorted, 0.5), lowerQuartile: Self.quantile(sorted, 0.25),
                  upperQuartile: Self.quantile(sorted, 0.75), minimum: first, maximum: last, count: sorted.count)
    }

    public init(median: Double, lowerQuartile: Double, upperQuartile: Double, minimum: Double, maximum: Double,
                count: Int) {
        self.median = median
        self.lowerQuartile = lowerQuartile
        self.upperQuartile = upperQuartile
        self.minimum = minimum
        self.maximum = maximum
        self.count = count
    }

    /// Hyndman & Fan type 7: h = (n − 1)q, then linear interpolation between the order statistics around h.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let below = Int(h.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (h - Double(below)) * (sorted[above] - sorted[below])
    }

    var isFinite: Bool {
        [median, lowerQuartile, upperQuartile, minimum, maximum].allSatisfy(\.isFinite)
    }
}
