import FulcrumCore
import FulcrumReport
import Testing

@Suite("Holm's correction")
struct HolmTests {
    /// Within 1e-15 of each other, element by element (nan matches nan).
    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.isNaN && $1.isNaN || abs($0 - $1) < 1e-15 }
    }

    @Test func stepsDownMultiplyingTheIthSmallestByMMinusIPlusOne() {
        // By hand, m = 4, sorted 0.005, 0.01, 0.03, 0.04: ×4 = 0.02, ×3 = 0.03, ×2 = 0.06, ×1 = 0.04 → 0.06 (kept
        // monotone: a larger p never gets a smaller adjusted value). Given in another order, answered in that order.
        #expect(same(Holm.adjusted([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]))
    }

    @Test func isCappedAtOneAndMonotone() {
        // 0.3 × 3 = 0.9, 0.8 × 2 = 1.6 → 1, 0.9 × 1 → max(1, 0.9) = 1.
        #expect(same(Holm.adjusted([0.3, 0.8, 0.9]), [0.9, 1, 1]))
        #expect(same(Holm.adjusted([0.5, 0.6]), [1, 1]))
        let adjusted = Holm.adjusted([0.02, 0.001, 0.3, 0.04, 0.011, 0.5])
        let byRaw = [0.02, 0.001, 0.3, 0.04, 0.011, 0.5].enumerated().sorted { $0.element < $1.element }.map { adjusted[$0.offset] }
        #expect(byRaw == byRaw.sorted() && adjusted.allSatisfy { $0 <= 1 })
        // Never below the raw p-value, never above Bonferroni's m·p.
        for (raw, corrected) in zip([0.02, 0.001, 0.3, 0.04, 0.011, 0.5], adjusted) {
            #expect(corrected >= raw && corrected <= min(1, 6 * raw))
        }
    }

    @Test func tiesOneTestAndNanAreHandled() {
        #expect(same(Holm.adjusted([0.01, 0.01]), [0.02, 0.02]))
        #expect(same(Holm.adjusted([0.03]), [0.03]))
        #expect(Holm.adjusted([]).isEmpty)
        // A test that could not be made is not in the family: m = 2 here.
        #expect(same(Holm.adjusted([.nan, 0.02, 0.04]), [.nan, 0.04, 0.04]))
    }
}

@Suite("Bootstrap interval")
struct BootstrapTests {
    @Test func aConstantSampleGivesAZeroWidthInterval() {
        let interval = Bootstrap.percentileInterval([0.7, 0.7, 0.7, 0.7])
        #expect(interval.low == 0.7 && interval.high == 0.7)
    }

    @Test func twoValuesGiveExactlyTheirRange() {
        // Resampled means of {a, b}: a with probability ¼, (a+b)/2 with ½, b with ¼, so the 2.5 % and
        // 97.5 % quantiles are a and b themselves.
        let interval = Bootstrap.percentileInterval([0.2, 0.6])
        #expect(interval.low == 0.2 && interval.high == 0.6)
    }

    @Test func aBimodalSampleStaysInsideItsRangeWhereTheTIntervalDoesNot() {
        // DTP-easy's detection in the first Table 1 analog: three seeds never trained the task.
        let values = [0, 0, 0, 0.925, 0.942]
        let boot = Bootstrap.percentileInterval(values), t = Statistics.confidenceInterval(values)
        #expect(boot.low >= 0 && boot.high <= 0.942 && boot.low < boot.high)
        #expect(t.low < 0 && t.high > 0.942)
        // A resample is all zeros with probability 0.6⁵ = 7.8 % > 2.5 %: the low end is 0 exactly.
        #expect(boot.low == 0)
    }

    @Test func containsTheMeanAndIsDeterministic() {
        var generator = SeededGenerator(seed: 7)
        for count in [3, 5, 10, 30] {
            let values = (0..<count).map { _ in generator.uniform() }
            let interval = Bootstrap.percentileInterval(values)
            let mean = Statistics.mean(values)
            #expect(interval.low <= mean && mean <= interval.high)
            #expect(interval.low >= values.min()! && interval.high <= values.max()!)
            let again = Bootstrap.percentileInterval(values)
            #expect(again.low == interval.low && again.high == interval.high)
        }
    }

    @Test func aLargeNormalSampleAgreesWithTheNormalInterval() {
        // For n = 400 the mean is close to normal: the bootstrap's ends are mean ± 1.96 s/√n up to the
        // Monte-Carlo error of 10 000 resamples (a few % of the half-width) and the n − 1 in s.
        var generator = SeededGenerator(seed: 11)
        let values = (0..<400).map { _ in 5 + 2 * generator.normal() }
        let mean = Statistics.mean(values), half = 1.959964 * Statistics.standardDeviation(values) / 20
        let interval = Bootstrap.percentileInterval(values)
        #expect(abs(interval.low - (mean - half)) < 0.06 * half)
        #expect(abs(interval.high - (mean + half)) < 0.06 * half)
    }

    @Test func fewerThanTwoValuesOrANonFiniteOneGiveNoInterval() {
        #expect(Bootstrap.percentileInterval([0.5]).low.isNaN)
        #expect(Bootstrap.percentileInterval([]).high.isNaN)
        #expect(Bootstrap.percentileInterval([0.5, .nan, 0.7]).low.isNaN)
    }
}
