import Foundation

/// The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), which Student's t
/// distribution is built on.
///
/// Evaluated by its continued fraction
///     I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) · 1 / (1 + d₁ / (1 + d₂ / (1 + …)))
///     d₂ₘ₊₁ = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),  d₂ₘ = m (b − m) x / ((a + 2m − 1)(a + 2m)),
/// with the modified Lentz method. The fraction converges fast only for x < (a + 1)/(a + b + 2);
/// beyond that the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) is used. Relative error ~1e-13 for the
/// t distribution up to ν ≈ 10³; for ν = 10⁵…10⁷ the fraction's leading terms nearly cancel and it
/// degrades to 1e-12…1e-10 (against scipy and mpmath), far below what seeds can resolve.
enum IncompleteBeta {
    /// I_x(a, b) for a, b > 0, given log x and log(1 − x). Logs, because Student's t far in its tail
    /// has an x = ν/(ν + t²) that underflows while x^a is still a representable probability, and near
    /// its centre a 1 − x that `1 - x` would round away; the caller computes both logs directly.
    static func regularized(logX: Double, logOneMinusX: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, logX <= 0, logOneMinusX <= 0 else { return .nan }
        if logX == -.infinity { return 0 }
        if logOneMinusX == -.infinity { return 1 }
        if exp(logX) < (a + 1) / (a + b + 2) {
            return lowerPart(logX: logX, logOneMinusX: logOneMinusX, a: a, b: b)
        }
        return 1 - lowerPart(logX: logOneMinusX, logOneMinusX: logX, a: b, b: a)
    }

    /// x^a (1 − x)^b / (a B(a, b)) times the continued fraction, on the side where it converges.
    private static func lowerPart(logX: Double, logOneMinusX: Double, a: Double, b: Double) -> Double {
        let frontFactor = exp(a * logX + b * logOneMinusX - logBeta(a, b) - log(a))
        return frontFactor * continuedFraction(x: exp(logX), a: a, b: b)
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). When one argument is large, log Γ of it and of
    /// the sum nearly cancel (ν = 10⁶ would lose nine digits), so their difference is taken from
    /// Stirling's series instead.
    private static func logBeta(_ a: Double, _ b: Double) -> Double {
        let (large, small) = a >= b ? (a, b) : (b, a)
        guard large >= 100 else { return lgamma(a) + lgamma(b) - lgamma(a + b) }
        return lgamma(small) - logGammaIncrease(from: large, by: small)
    }

    /// log Γ(z + h) − log Γ(z) for z ≥ 100, from log Γ(z) = (z − ½) log z − z + ½ log 2π + S(z) with
    /// S(z) = 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷), which leaves
    ///     h log z + (z + h − ½) log(1 + h/z) − h + S(z + h) − S(z),
    /// accurate to ~1e-16 (the next term of S is 1/(1188 z⁹)).
    private static func logGammaIncrease(from z: Double, by h: Double) -> Double {
        func series(_ z: Double) -> Double {
            let inverseSquare = 1 / (z * z)
            return (1.0 / 12 - inverseSquare * (1.0 / 360 - inverseSquare * (1.0 / 1260 - inverseSquare / 1680))) / z
        }
        return h * log(z) + (z + h - 0.5) * log1p(h / z) - h + series(z + h) - series(z)
    }

    /// 1 / (1 + d₁ / (1 + d₂ / (1 + …))) by the modified Lentz method: the convergents are built as
    /// products of ratios C/D, and a denominator that hits zero is nudged to `tiny` instead of failing.
    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        // Stop when a step changes the value by at most two units in the last place.
        let tolerance = 2 * Double.ulpOfOne
        // The fraction is 0 + 1/(1 + d₁/(1 + d₂/(1 + …))): the leading term 0 starts as `tiny`.
        var value = tiny
        var c = tiny
        var d = 0.0
        for j in 0..<100_000 {
            let numerator = j == 0 ? 1 : coefficient(j, x: x, a: a, b: b)
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let ratio = c * d
            value *= ratio
            if abs(ratio - 1) < tolerance { break }
        }
        return value
    }

    /// dⱼ of the continued fraction, alternating between the odd and even forms.
    private static func coefficient(_ j: Int, x: Double, a: Double, b: Double) -> Double {
        let m = Double(j / 2)
        if j.isMultiple(of: 2) {
            return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        }
        return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
    }
}
