import Foundation

/// Student's t distribution with ν degrees of freedom, for confidence intervals and t-tests over
/// seeds. ν is real, not only an integer, because Welch's test gives fractional degrees of freedom;
/// ν = +∞ is the standard normal.
public enum StudentT {
    /// P(T ≤ t) for Student's t with ν > 0 degrees of freedom (ν real, as Welch's needs).
    ///
    /// For t ≥ 0, P(T ≤ t) = 1 − ½ I_x(ν/2, ½) with x = ν/(ν + t²); the distribution is symmetric, so
    /// for t < 0 it is ½ I_x(ν/2, ½), computed directly so that small tail probabilities keep their
    /// relative precision. nan when ν is not positive or either argument is nan.
    public static func cdf(_ t: Double, degreesOfFreedom ν: Double) -> Double {
        guard ν > 0, !t.isNaN else { return .nan }
        if t == 0 { return 0.5 }
        let tail = tailProbability(beyond: abs(t), ν)
        return t < 0 ? tail : 1 - tail
    }

    /// The p-quantile, 0 < p < 1 (inverse of cdf). −∞ for p = 0, +∞ for p = 1, nan outside [0, 1]
    /// or for ν ≤ 0.
    ///
    /// Solved for |t| and mirrored, on whichever probability keeps p's precision: the log of the tail
    /// probability min(p, 1 − p) when that is below ¼ (the log makes Newton's steps as good far out in
    /// the tail as near it), and the mass between 0 and |t|, ½ − min(p, 1 − p) (exact in floating
    /// point), otherwise. Newton's method, safeguarded by a bracket that bisection falls back on
    /// whenever a step leaves it, to a relative change in t of 1e-13.
    public static func quantile(_ p: Double, degreesOfFreedom ν: Double) -> Double {
        guard ν > 0, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let tail = min(p, 1 - p)
        let magnitude = tail < 0.25
            ? solveIncreasing(equals: -log(tail)) { s in
                let tailBeyond = tailProbability(beyond: s, ν)
                return (-log(tailBeyond), density(s, ν) / tailBeyond)
            }
            : solveIncreasing(equals: 0.5 - tail) { s in (centralProbability(upTo: s, ν), density(s, ν)) }
        return p < 0.5 ? -magnitude : magnitude
    }

    /// P(T ≤ −s) = ½ I_x(ν/2, ½) for s ≥ 0.
    private static func tailProbability(beyond s: Double, _ ν: Double) -> Double {
        if ν == .infinity { return 0.5 * erfc(s / 2.0.squareRoot()) }
        let (logX, logOneMinusX) = logBetaArgument(s, ν)
        return 0.5 * IncompleteBeta.regularized(logX: logX, logOneMinusX: logOneMinusX, a: ν / 2, b: 0.5)
    }

    /// P(0 ≤ T ≤ s) = ½ I_{1−x}(½, ν/2) for s ≥ 0, the complement of the tail within its half.
    private static func centralProbability(upTo s: Double, _ ν: Double) -> Double {
        if ν == .infinity { return 0.5 * erf(s / 2.0.squareRoot()) }
        let (logX, logOneMinusX) = logBetaArgument(s, ν)
        return 0.5 * IncompleteBeta.regularized(logX: logOneMinusX, logOneMinusX: logX, a: 0.5, b: ν / 2)
    }

    /// log x and log(1 − x) for x = ν/(ν + s²), from the log-odds log(x/(1 − x)) = log(ν/s²) so that
    /// neither s² overflowing (far tail) nor 1 − x rounding to 0 (s near 0) loses the value:
    /// log x = −log(1 + s²/ν), log(1 − x) = −log(1 + ν/s²).
    private static func logBetaArgument(_ s: Double, _ ν: Double) -> (logX: Double, logOneMinusX: Double) {
        let logOdds = log(ν) - 2 * log(s)
        return (-logOnePlusExp(-logOdds), -logOnePlusExp(logOdds))
    }

    /// log(1 + eʸ) without overflow for large y.
    private static func logOnePlusExp(_ y: Double) -> Double {
        y > 0 ? y + log1p(exp(-y)) : log1p(exp(y))
    }

    /// The s ≥ 0 where an increasing function, given with its slope, reaches `target` (which it must
    /// exceed for large s). Newton steps inside a bracket [low, high], bisection when a step would
    /// leave it; the bracket's upper end is found by doubling.
    private static func solveIncreasing(equals target: Double,
                                        _ function: (Double) -> (value: Double, slope: Double)) -> Double {
        var low = 0.0
        var high = 1.0
        while function(high).value < target {
            low = high
            high *= 2
            if high == .infinity { return .infinity }
        }
        var s = 0.5 * (low + high)
        for _ in 0..<200 {
            let (value, slope) = function(s)
            let excess = value - target
            if excess == 0 { return s }
            if excess < 0 { low = s } else { high = s }
            var next = s - excess / slope
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            let converged = abs(next - s) <= 1e-13 * next || high - low <= 1e-13 * high
            s = next
            if converged { break }
        }
        return s
    }

    /// The density Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) · (1 + t²/ν)^(−(ν+1)/2), in logs; the standard normal
    /// density for ν = +∞. Only the quantile's Newton steps need it, so lgamma's rounding for large ν
    /// costs iterations, not accuracy.
    private static func density(_ t: Double, _ ν: Double) -> Double {
        if ν == .infinity { return exp(-0.5 * t * t) / (2 * Double.pi).squareRoot() }
        let logNormalizer = lgamma((ν + 1) / 2) - lgamma(ν / 2) - 0.5 * log(ν * Double.pi)
        return exp(logNormalizer - (ν + 1) / 2 * log1p(t * t / ν))
    }
}
