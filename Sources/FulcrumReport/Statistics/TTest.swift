/// A two-sided t-test of equal means between two policies' KPIs over seeds: Welch's when the seeds
/// of the two are independent, paired when seed i of one is matched with seed i of the other (same
/// data order and initialisation), which removes the seed-to-seed variance both share.
///
/// Callers pass finite values; a sample holding nan or ±∞ gives nil rather than a nan p-value.
///
/// When the standard error is zero (both samples constant, or every paired difference equal) the
/// t distribution does not apply, and the test reports the limit: t = ±∞ with p = 0 when the means
/// differ, t = 0 with p = 1 when they are equal. "Constant" means exactly equal values; the means
/// and variances are taken about the first value, so such a sample's variance is exactly 0 rather
/// than rounding noise that would make t huge.
public struct TTest: Sendable, Equatable {
    public enum Kind: String, Sendable { case welch, paired }

    public let kind: Kind
    /// t, with the sign of mean(a) − mean(b).
    public let statistic: Double
    /// Welch–Satterthwaite for welch, n − 1 for paired.
    public let degreesOfFreedom: Double
    /// Two-sided: P(|T| ≥ |t|).
    public let pValue: Double

    /// Welch's unequal-variance t-test of mean(a) = mean(b); nil when either sample has fewer than 2 values.
    ///
    /// t = (ā − b̄) / √(s_a²/n_a + s_b²/n_b), ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1)).
    /// When both variances are zero ν is 0/0; it is reported as n_a + n_b − 2, the largest value the
    /// Welch–Satterthwaite formula can take (that of the pooled test).
    public static func welch(_ a: [Double], _ b: [Double]) -> TTest? {
        guard let first = SampleMoments(a), let second = SampleMoments(b) else { return nil }
        let varianceOfMeanA = first.variance / first.count
        let varianceOfMeanB = second.variance / second.count
        let difference = first.mean - second.mean
        let largest = max(varianceOfMeanA, varianceOfMeanB)
        guard largest > 0 else {
            return .limit(.welch, difference: difference, degreesOfFreedom: first.count + second.count - 2)
        }
        // Scaled by the larger term so that the squares neither underflow nor overflow.
        let ratioA = varianceOfMeanA / largest, ratioB = varianceOfMeanB / largest
        let degreesOfFreedom = (ratioA + ratioB) * (ratioA + ratioB)
            / (ratioA * ratioA / (first.count - 1) + ratioB * ratioB / (second.count - 1))
        let statistic = difference / (varianceOfMeanA + varianceOfMeanB).squareRoot()
        return TTest(kind: .welch, statistic: statistic, degreesOfFreedom: degreesOfFreedom)
    }

    /// Paired t-test on the differences a[i] − b[i]; nil unless a.count == b.count ≥ 2.
    ///
    /// t = d̄ / (s_d / √n) with ν = n − 1.
    public static func paired(_ a: [Double], _ b: [Double]) -> TTest? {
        guard a.count == b.count, a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite),
              let differences = SampleMoments(zip(a, b).map { $0 - $1 }) else { return nil }
        let degreesOfFreedom = differences.count - 1
        guard differences.variance > 0 else {
            return .limit(.paired, difference: differences.mean, degreesOfFreedom: degreesOfFreedom)
        }
        let statistic = differences.mean / (differences.variance / differences.count).squareRoot()
        return TTest(kind: .paired, statistic: statistic, degreesOfFreedom: degreesOfFreedom)
    }

    private init(kind: Kind, statistic: Double, degreesOfFreedom: Double, pValue: Double) {
        self.kind = kind
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
    }

    /// The test at t with the two-sided p-value 2 P(T ≤ −|t|), computed on the lower tail so that a
    /// small p keeps its precision.
    private init(kind: Kind, statistic: Double, degreesOfFreedom: Double) {
        let pValue = min(1, 2 * StudentT.cdf(-abs(statistic), degreesOfFreedom: degreesOfFreedom))
        self.init(kind: kind, statistic: statistic, degreesOfFreedom: degreesOfFreedom, pValue: pValue)
    }

    /// The zero-standard-error limit: the means differ for certain, or not at all.
    private static func limit(_ kind: Kind, difference: Double, degreesOfFreedom: Double) -> TTest {
        if difference == 0 {
            return TTest(kind: kind, statistic: 0, degreesOfFreedom: degreesOfFreedom, pValue: 1)
        }
        let statistic: Double = difference > 0 ? .infinity : -.infinity
        return TTest(kind: kind, statistic: statistic, degreesOfFreedom: degreesOfFreedom, pValue: 0)
    }
}

/// Count, mean and sample variance (n − 1) of a finite sample of at least two values, taken about the
/// first value: a constant sample then has exactly its value as mean and exactly 0 as variance.
private struct SampleMoments {
    let count: Double
    let mean: Double
    let variance: Double

    init?(_ values: [Double]) {
        guard values.count >= 2, values.allSatisfy(\.isFinite) else { return nil }
        let shift = values[0]
        let deviations = values.map { $0 - shift }
        let meanDeviation = deviations.reduce(0, +) / Double(values.count)
        let squares = deviations.reduce(0) { $0 + ($1 - meanDeviation) * ($1 - meanDeviation) }
        count = Double(values.count)
        mean = shift + meanDeviation
        variance = squares / (count - 1)
    }
}
