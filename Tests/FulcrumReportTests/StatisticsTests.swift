import Foundation
import FulcrumReport
import Testing

/// |actual − expected| ≤ tolerance · |expected|.
private func isClose(_ actual: Double, _ expected: Double, relative tolerance: Double = 1e-12) -> Bool {
    abs(actual - expected) <= tolerance * abs(expected)
}

@Suite("Statistics")
struct StatisticsTests {
    @Test func meanAndSampleStandardDeviation() {
        #expect(Statistics.mean([1, 2, 3, 6]) == 3)
        // Σ(x − 3)² = 4 + 1 + 0 + 9 = 14; 14 / 3 under the root.
        #expect(abs(Statistics.standardDeviation([1, 2, 3, 6]) - (14.0 / 3).squareRoot()) < 1e-12)
        #expect(Statistics.standardDeviation([5]).isNaN)
        #expect(Statistics.mean([]).isNaN)
    }

    @Test func confidenceIntervalIsMeanPlusMinusTTimesStandardError() {
        // mean 3, s = √(14/3), s/√4 = 1.0801234497; t_{0.975,3} = 3.1824463053 → half-width 3.4374348819.
        // scipy.stats.t.interval(0.95, 3, loc=3, scale=sqrt(14/3)/2) = (-0.4374348818583087, 6.437434881858309)
        let interval = Statistics.confidenceInterval([1, 2, 3, 6])
        #expect(isClose(interval.low, -0.4374348818583087))
        #expect(isClose(interval.high, 6.437434881858309))
    }

    @Test func confidenceIntervalNarrowsWithTheLevel() {
        // scipy.stats.t.interval(0.90, 3, loc=3, scale=sqrt(14/3)/2) = (0.4580769683224837, 5.5419230316775145)
        let interval = Statistics.confidenceInterval([1, 2, 3, 6], level: 0.9)
        #expect(isClose(interval.low, 0.4580769683224837))
        #expect(isClose(interval.high, 5.5419230316775145))
    }

    @Test func confidenceIntervalNeedsTwoValuesAndIsAPointForIdenticalOnes() {
        let single = Statistics.confidenceInterval([0.7])
        #expect(single.low.isNaN && single.high.isNaN)
        #expect(Statistics.confidenceInterval([]).low.isNaN)
        let constant = Statistics.confidenceInterval([0.5, 0.5, 0.5])
        #expect(constant.low == 0.5 && constant.high == 0.5)
    }
}

@Suite("Student's t distribution")
struct StudentTTests {
    @Test func oneDegreeOfFreedomIsTheCauchyDistribution() {
        // ½ + atan(t)/π; for t < 0 written atan(1/|t|)/π so that the reference keeps its digits.
        for t in [-1e6, -30, -1.5, -0.2, -1e-9] {
            #expect(isClose(StudentT.cdf(t, degreesOfFreedom: 1), atan(1 / -t) / Double.pi))
        }
        for t in [1e-9, 0.2, 1.5, 30] {
            #expect(isClose(StudentT.cdf(t, degreesOfFreedom: 1), 0.5 + atan(t) / Double.pi))
        }
    }

    @Test func twoDegreesOfFreedomHaveAClosedForm() {
        // P(T ≤ t) = ½ + t / (2 √(t² + 2)) for ν = 2.
        for t in [-0.7, 0.05, 1, 4, 25] {
            #expect(isClose(StudentT.cdf(t, degreesOfFreedom: 2), 0.5 + t / (2 * (t * t + 2).squareRoot())))
        }
    }

    @Test func cdfMatchesScipyAtIntegerAndFractionalDegreesOfFreedom() {
        // scipy.stats.t.cdf(t, ν)
        let cases: [(t: Double, ν: Double, expected: Double)] = [
            (2.5, 4, 0.966616727594006),
            (-1.2, 7.3, 0.13381533327582806),
            (-6, 3, 0.004636357446142333),
            (0.3, 0.5, 0.5775704239347546),
            (-40, 2.5, 7.09781714524669e-05),
            (-1e100, 3, 1.1026577908435836e-300),  // far tail: relative precision kept
        ]
        for (t, ν, expected) in cases {
            #expect(isClose(StudentT.cdf(t, degreesOfFreedom: ν), expected), "t = \(t), ν = \(ν)")
        }
    }

    @Test func manyDegreesOfFreedomApproachTheNormal() {
        // scipy.stats.t.cdf(-1.96, 1e6) = 0.024998033792634926; the normal's is 0.024997895148220435.
        let t = StudentT.cdf(-1.96, degreesOfFreedom: 1e6)
        #expect(isClose(t, 0.024998033792634926, relative: 1e-10))
        #expect(abs(t - 0.5 * erfc(1.96 / 2.0.squareRoot())) < 2e-7)
        #expect(StudentT.cdf(-1.96, degreesOfFreedom: .infinity) == 0.5 * erfc(1.96 / 2.0.squareRoot()))
    }

    @Test func cdfIsSymmetricAndBounded() {
        for ν in [0.8, 3, 17.5] {
            for t in [0.01, 1.3, 9] {
                #expect(abs(StudentT.cdf(t, degreesOfFreedom: ν) + StudentT.cdf(-t, degreesOfFreedom: ν) - 1) < 1e-15)
            }
        }
        #expect(StudentT.cdf(0, degreesOfFreedom: 5) == 0.5)
        #expect(StudentT.cdf(.infinity, degreesOfFreedom: 5) == 1)
        #expect(StudentT.cdf(-.infinity, degreesOfFreedom: 5) == 0)
        #expect(StudentT.cdf(1, degreesOfFreedom: 0).isNaN)
        #expect(StudentT.cdf(.nan, degreesOfFreedom: 5).isNaN)
    }

    @Test func quantileMatchesTableValues() {
        // scipy.stats.t.ppf(p, ν); t_{0.975,4} = 2.776445 and t_{0.975,3} = 3.182446 in printed tables.
        let cases: [(p: Double, ν: Double, expected: Double)] = [
            (0.975, 4, 2.7764451051977934),
            (0.975, 3, 3.1824463052837078),
            (0.95, 10, 1.8124611228116756),
            (0.995, 30, 2.7499956535672254),
            (0.9, 1, 3.0776835371752544),  // tan(0.4π)
            (0.01, 2.5, -5.353111173030874),
            (0.3, 4.5, -0.5635058039393779),
            (0.8, 12, 0.8726092915881383),
            (0.975, 1e6, 1.959966356814107),
        ]
        for (p, ν, expected) in cases {
            #expect(isClose(StudentT.quantile(p, degreesOfFreedom: ν), expected), "p = \(p), ν = \(ν)")
        }
        // scipy.stats.norm.ppf(0.975)
        #expect(isClose(StudentT.quantile(0.975, degreesOfFreedom: .infinity), 1.959963984540054))
    }

    @Test func quantileInvertsTheCdfFromFarTailToCentre() {
        for ν in [0.7, 1, 2.5, 6, 40, 1e4] {
            for p in [1e-100, 1e-12, 1e-3, 0.04, 0.25, 0.4, 0.5 - 1e-9, 0.5 + 1e-9, 0.7, 0.99, 1 - 1e-12] {
                let t = StudentT.quantile(p, degreesOfFreedom: ν)
                // Compared on the smaller tail, where p itself is exact.
                let tail = p < 0.5 ? StudentT.cdf(t, degreesOfFreedom: ν) : 1 - StudentT.cdf(t, degreesOfFreedom: ν)
                #expect(isClose(tail, min(p, 1 - p), relative: 1e-11), "p = \(p), ν = \(ν)")
            }
        }
    }

    @Test func quantileNearTheMedianKeepsItsRelativePrecision() {
        // ν = 1: the quantile is tan(π(p − ½)), and p − ½ is exact in floating point.
        let p = 0.499999999
        #expect(isClose(StudentT.quantile(p, degreesOfFreedom: 1), tan(Double.pi * (p - 0.5))))
    }

    @Test func quantileEdges() {
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 3) == 0)
        #expect(StudentT.quantile(0, degreesOfFreedom: 3) == -.infinity)
        #expect(StudentT.quantile(1, degreesOfFreedom: 3) == .infinity)
        #expect(StudentT.quantile(1.2, degreesOfFreedom: 3).isNaN)
        #expect(StudentT.quantile(0.9, degreesOfFreedom: -1).isNaN)
    }
}

@Suite("t-tests")
struct TTestTests {
    let a = [0.81, 0.79, 0.84, 0.80, 0.83]
    let b = [0.78, 0.80, 0.76, 0.77]

    @Test func welchMatchesScipy() throws {
        // scipy.stats.ttest_ind(a, b, equal_var=False): t = 2.895397139185326, df = 6.973917040027662,
        // p = 0.023232551864074972
        let test = try #require(TTest.welch(a, b))
        #expect(test.kind == .welch)
        #expect(isClose(test.statistic, 2.895397139185326))
        #expect(isClose(test.degreesOfFreedom, 6.973917040027662))
        #expect(isClose(test.pValue, 0.023232551864074972, relative: 1e-10))
    }

    @Test func welchStatisticTakesTheSignOfMeanAMinusMeanB() throws {
        let forward = try #require(TTest.welch(a, b))
        let backward = try #require(TTest.welch(b, a))
        #expect(backward.statistic == -forward.statistic)
        #expect(backward.pValue == forward.pValue)
    }

    @Test func welchWithUnequalSizesAndASmallPValue() throws {
        // scipy.stats.ttest_ind([.61, .64, .59, .62, .60, .63], [.50, .52, .51], equal_var=False):
        // t = 10.966892325208951, df = 6.797752808988764, p = 1.4346424321760997e-05
        let test = try #require(TTest.welch([0.61, 0.64, 0.59, 0.62, 0.60, 0.63], [0.50, 0.52, 0.51]))
        #expect(isClose(test.statistic, 10.966892325208951))
        #expect(isClose(test.degreesOfFreedom, 6.797752808988764))
        #expect(isClose(test.pValue, 1.4346424321760997e-05, relative: 1e-10))
    }

    @Test func pairedMatchesScipyAndTheHandComputation() throws {
        // Differences (0.02, 0.01, 0.04, 0, 0.03): mean 0.02, s = √(10⁻³/4) = 0.0158, s/√5 = 0.00707,
        // t = 2√2 on 4 df. scipy.stats.ttest_rel: t = 2.828427124746193, p = 0.04742065558431946.
        let test = try #require(TTest.paired(a, [0.79, 0.78, 0.80, 0.80, 0.80]))
        #expect(test.kind == .paired)
        #expect(isClose(test.statistic, 2 * 2.0.squareRoot(), relative: 1e-10))
        #expect(test.degreesOfFreedom == 4)
        #expect(isClose(test.pValue, 0.04742065558431946, relative: 1e-10))
    }

    @Test func tooFewMismatchedOrNonFiniteValuesGiveNoTest() {
        #expect(TTest.welch([1], [1, 2]) == nil)
        #expect(TTest.welch([1, 2], []) == nil)
        #expect(TTest.welch([1, .nan, 2], [1, 2]) == nil)
        #expect(TTest.welch([1, 2], [.infinity, 2]) == nil)
        #expect(TTest.paired([1], [2]) == nil)
        #expect(TTest.paired([1, 2, 3], [1, 2]) == nil)
        #expect(TTest.paired([1, 2], [.nan, 2]) == nil)
    }

    @Test func constantSamplesWithDifferentMeansDifferForCertain() throws {
        let test = try #require(TTest.welch([1, 1, 1], [2, 2]))
        #expect(test.statistic == -.infinity)
        #expect(test.pValue == 0)
        #expect(test.degreesOfFreedom == 3)  // n_a + n_b − 2 when Welch–Satterthwaite is 0/0
    }

    @Test func constantSamplesWithEqualValuesDoNotDifferAtAll() throws {
        // 0.1 + 0.1 + 0.1 is not 3 × 0.1 in floating point: a naive mean would differ by rounding.
        let test = try #require(TTest.welch([0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1]))
        #expect(test.statistic == 0)
        #expect(test.pValue == 1)
    }

    @Test func oneConstantSampleLeavesTheOthersDegreesOfFreedom() throws {
        // s_a = 0, s_b² = 1: t = (1 − 2)/√(1/3) = −√3, ν = n_b − 1 = 2, and with the ν = 2 closed form
        // p = 2 (½ − √3/(2√5)) = 1 − √0.6.
        let test = try #require(TTest.welch([1, 1, 1], [1, 2, 3]))
        #expect(isClose(test.statistic, -3.0.squareRoot()))
        #expect(isClose(test.degreesOfFreedom, 2))
        #expect(isClose(test.pValue, 1 - 0.6.squareRoot()))
    }

    @Test func equalPairedDifferencesAreCertainUnlessZero() throws {
        let shifted = try #require(TTest.paired([1, 2, 3], [0.5, 1.5, 2.5]))
        #expect(shifted.statistic == .infinity && shifted.pValue == 0 && shifted.degreesOfFreedom == 2)
        let identical = try #require(TTest.paired([0.3, 0.7, 0.9], [0.3, 0.7, 0.9]))
        #expect(identical.statistic == 0 && identical.pValue == 1)
    }
}

@Suite("Relative change Δm")
struct RelativeChangeTests {
    @Test func signsEachTaskSoThatPositiveIsBetter() {
        // Accuracy 0.80 → 0.88 is +10 %; error 0.25 → 0.20 is −20 %, better, so +20: Δm = (10 + 20)/2 = +15.
        let deltaM = RelativeChange.deltaM([0.88, 0.20], reference: [0.80, 0.25], lowerIsBetter: [false, true])
        #expect(isClose(deltaM, 15))
    }

    @Test func worseOnEveryTaskIsNegative() {
        // Accuracy 0.80 → 0.72 is −10 %; error 0.20 → 0.25 is +25 %, worse, so −25: Δm = −17.5.
        let deltaM = RelativeChange.deltaM([0.72, 0.25], reference: [0.80, 0.20], lowerIsBetter: [false, true])
        #expect(isClose(deltaM, -17.5))
        #expect(RelativeChange.deltaM([0.5, 0.5], reference: [0.5, 0.5], lowerIsBetter: [false, true]) == 0)
    }

    @Test func tasksWithoutAValueOrWithAZeroReferenceAreLeftOut() {
        // Only the first two tasks count, as above: T = 2.
        let deltaM = RelativeChange.deltaM([0.88, 0.20, .nan, 0.5, 0.3], reference: [0.80, 0.25, 0.6, .nan, 0],
                                           lowerIsBetter: [false, true, false, false, true])
        #expect(isClose(deltaM, 15))
        #expect(RelativeChange.deltaM([.nan], reference: [0.5], lowerIsBetter: [false]).isNaN)
        #expect(RelativeChange.deltaM([], reference: [], lowerIsBetter: []).isNaN)
    }
}

@Suite("Mean rank")
struct MeanRankTests {
    @Test func ranksEachColumnAndAveragesOverTheRowsValues() {
        // Column 0, higher better: 0.9 → 1; the two 0.8s share ranks 2 and 3 → 2.5 each; nan unranked.
        // Column 1, lower better: 0.10 → 1, 0.20 → 2, 0.25 → 3, 0.30 → 4.
        let scores: [[Double]] = [
            [0.9, 0.30],  // (1 + 4)/2 = 2.5
            [0.8, 0.20],  // (2.5 + 2)/2 = 2.25
            [0.8, 0.25],  // (2.5 + 3)/2 = 2.75
            [.nan, 0.10],  // 1, its only column
            [.nan, .nan],  // no values: nan
        ]
        let ranks = MeanRank.meanRanks(scores, higherIsBetter: [true, false])
        #expect(Array(ranks.prefix(4)) == [2.5, 2.25, 2.75, 1])
        #expect(ranks[4].isNaN)
    }

    @Test func aTieOfAllSharesTheMiddleRank() {
        #expect(MeanRank.meanRanks([[0.5], [0.5], [0.5]], higherIsBetter: [true]) == [2, 2, 2])
    }

    @Test func noRowsGiveNoRanks() {
        #expect(MeanRank.meanRanks([], higherIsBetter: [true]) == [])
    }
}
