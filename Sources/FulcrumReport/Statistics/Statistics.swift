/// Summary statistics over seeds.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1 in the denominator); nan for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return .nan }
        let m = mean(values)
        let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// Two-sided confidence interval of the mean from Student's t: mean ± t_{(1+level)/2, n−1} · s/√n. (nan, nan) for n < 2.
    ///
    /// Seeds are few, so the normal's 1.96 would make the interval too narrow (with 3 seeds t is 4.30).
    /// Identical values give the zero-width interval (mean, mean); a level outside [0, 1] gives (nan, nan).
    public static func confidenceInterval(_ values: [Double], level: Double = 0.95) -> (low: Double, high: Double) {
        guard values.count > 1 else { return (.nan, .nan) }
        let m = mean(values)
        let standardError = standardDeviation(values) / Double(values.count).squareRoot()
        let t = StudentT.quantile((1 + level) / 2, degreesOfFreedom: Double(values.count - 1))
        return (m - t * standardError, m + t * standardError)
    }
}
