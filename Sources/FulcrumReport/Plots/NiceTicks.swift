import Foundation

/// Axis ticks at "nice" values, 1, 2 or 5 × 10^k apart, as a person would mark an axis by hand.
public struct NiceTicks: Sendable, Equatable {
    /// The tick values, ascending: inside the range of `init(covering:)`, enclosing the data of `init(fitting:)`.
    public let values: [Double]
    /// The distance between neighbouring ticks.
    public let step: Double
    /// The tick labels: trailing zeros dropped, "k"/"M" for large values such as training steps ("20k").
    public let labels: [String]

    /// Ticks inside `range`, about `targetCount` intervals apart: for an axis whose ends are given. A flat or
    /// non-finite range is first widened (see `widenedIfFlat`), so there is always at least one tick.
    public init(covering range: ClosedRange<Double>, targetCount: Int = 5) {
        self.init(range, targetCount: targetCount, outward: false)
    }

    /// Ticks for an axis fitted to data: `data` widened outward to whole steps, so the axis starts and ends
    /// on a labelled tick (`domain`) with the data inside.
    public init(fitting data: ClosedRange<Double>, targetCount: Int = 5) {
        self.init(data, targetCount: targetCount, outward: true)
    }

    /// From the first to the last tick: the axis of `init(fitting:)`.
    public var domain: ClosedRange<Double> {
        guard let first = values.first, let last = values.last, last > first else { return Self.widenedIfFlat(0...0) }
        return first...last
    }

    /// The data domain of an axis fitted to `range`: `NiceTicks(fitting:).domain`.
    public static func domain(covering range: ClosedRange<Double>, targetCount: Int = 5) -> ClosedRange<Double> {
        NiceTicks(fitting: range, targetCount: targetCount).domain
    }

    private init(_ range: ClosedRange<Double>, targetCount: Int, outward: Bool) {
        let range = Self.widenedIfFlat(range)
        let (unit, exponent) = Self.niceStep(span: range.upperBound - range.lowerBound, targetCount: targetCount)
        // Ticks are counted in whole units of `unit × 10^exponent` and scaled by an exact power of ten at the
        // end, so 3 × 0.2 gives 0.6 rather than 0.6000000000000001.
        let scale = pow(10, Double(abs(exponent)))
        let value: (Double) -> Double = { (exponent < 0 ? $0 * unit / scale : $0 * unit * scale) + 0 }  // + 0: no -0
        let step = value(1)
        let tolerance = outward ? -1e-9 : 1e-9
        let first = (range.lowerBound / step - tolerance).rounded(outward ? .down : .up)
        let last = max((range.upperBound / step + tolerance).rounded(outward ? .up : .down), outward ? first + 1 : -.infinity)
        values = first <= last ? stride(from: first, through: last, by: 1).map(value) : []
        self.step = step
        labels = Self.labels(values, exponent: exponent)
    }

    /// A range with room in it: a single value v becomes v ± 10 % (± 1 around zero), so one point or
    /// all-equal values still get an axis; a non-finite range becomes 0…1.
    public static func widenedIfFlat(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return 0...1 }
        guard range.upperBound > range.lowerBound else {
            let centre = range.lowerBound
            let half = centre == 0 ? 1 : abs(centre) * 0.1
            return (centre - half)...(centre + half)
        }
        return range
    }

    /// The nice step nearest `span / targetCount`, as a unit (1, 2 or 5) and a power of ten.
    static func niceStep(span: Double, targetCount: Int) -> (unit: Double, exponent: Int) {
        let raw = span / Double(max(targetCount, 1))
        guard raw.isFinite, raw > 0 else { return (1, 0) }
        var exponent = Int(log10(raw).rounded(.down))
        var normalised = raw / pow(10, Double(exponent))
        if normalised >= 10 { exponent += 1; normalised /= 10 }   // log10 rounding at exact powers of ten
        if normalised < 1 { exponent -= 1; normalised *= 10 }
        switch normalised {
        case ..<1.5: return (1, exponent)
        case ..<3: return (2, exponent)
        case ..<7: return (5, exponent)
        default: return (1, exponent + 1)
        }
    }

    /// Labels with just the decimals the step needs; thousands and millions as "k" and "M" once the values
    /// reach five and eight digits, which keeps step axes short ("25k" rather than "25000").
    static func labels(_ values: [Double], exponent: Int) -> [String] {
        let largest = values.map(abs).max() ?? 0
        let (divisor, suffix, shift): (Double, String, Int) =
            largest >= 1e7 ? (1e6, "M", 6) : largest >= 1e4 ? (1e3, "k", 3) : (1, "", 0)
        let decimals = max(0, shift - exponent)
        return values.map { value in
            let text = SVGText.number(value / divisor, decimals: decimals)
            return text == "0" ? text : text + suffix
        }
    }
}
