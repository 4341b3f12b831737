import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// Random Loss Weighting (Lin et al., TMLR 2022): λ = softmax(λ̃), λ̃ drawn afresh each step.
@Suite("policies/rlw.lua")
struct RLWPolicyTests {
    static func weights(_ options: [String: SettingValue] = [:], tasks: Int, steps: Int, seed: UInt64 = 1) throws -> [[Double]] {
        try run("rlw", options: options, on: PolicyTrace.random(tasks: tasks, steps: steps, seed: 3), seed: seed).weights.map(\.shared)
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    static func variance(_ values: [Double]) -> Double {
        let m = mean(values)
        return values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
    }

    /// E[f(X)] for a density on [a, b], by the trapezoidal rule.
    static func expectation(_ f: (Double) -> Double, density: (Double) -> Double, from a: Double, to b: Double) -> Double {
        let n = 20_000
        let h = (b - a) / Double(n)
        return (0...n).reduce(0.0) { sum, k in
            let x = a + Double(k) * h
            return sum + (k == 0 || k == n ? 0.5 : 1) * f(x) * density(x) * h
        }
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test(arguments: [2, 3, 4, 5])
    func defaultWeightsArePointsOfTheSimplex(tasks: Int) throws {
        for w in try Self.weights(tasks: tasks, steps: 50) {
            #expect(w.count == tasks && w.allSatisfy { $0 > 0 && $0 < 1 })
            #expect(abs(w.reduce(0, +) - 1) < 1e-12)
        }
    }

    @Test func sumToTasksScalesTheSimplexByT() throws {
        for w in try Self.weights(["sum_to_tasks": .boolean(true)], tasks: 4, steps: 50) {
            #expect(abs(w.reduce(0, +) - 4) < 1e-12)
        }
    }

    @Test func sameSeedGivesTheSameWeightsAndSeedsDiffer() throws {
        let first = try Self.weights(tasks: 3, steps: 20, seed: 5)
        #expect(try Self.weights(tasks: 3, steps: 20, seed: 5) == first)
        let other = try Self.weights(tasks: 3, steps: 20, seed: 6)
        #expect(zip(first, other).allSatisfy { $0 != $1 }, "every step's draw differs")
        #expect(Set(first.map { $0[0] }).count == 20, "a fresh draw every step")
    }

    @Test func meanOverManyStepsIsUniform() throws {
        let draws = try Self.weights(tasks: 4, steps: 4000)
        for t in 0..<4 { #expect(abs(Self.mean(draws.map { $0[t] }) - 0.25) < 0.01) }
    }

    /// T = 2: λ_1 = σ(λ̃_1 − λ̃_2). For the normal default the difference is N(0, 2), so
    /// Var λ_1 = E[σ(D)²] − ¼, computed here by quadrature; the other distributions give other variances.
    @Test(arguments: ["normal", "uniform", "dirichlet"])
    func secondMomentMatchesTheDistribution(distribution: String) throws {
        let draws = try Self.weights(["distribution": .string(distribution)], tasks: 2, steps: 6000).map { $0[0] }
        let expected: Double
        switch distribution {
        case "normal":   // D ~ N(0, 2)
            expected = Self.expectation({ pow(Self.sigmoid($0), 2) }, density: { exp(-$0 * $0 / 4) / (4 * Double.pi).squareRoot() },
                                        from: -14, to: 14) - 0.25
        case "uniform":  // D = U1 − U2: triangular on [−1, 1]
            expected = Self.expectation({ pow(Self.sigmoid($0), 2) }, density: { 1 - abs($0) }, from: -1, to: 1) - 0.25
        default:         // Dir(1, 1): D = 2U − 1, uniform on [−1, 1]
            expected = Self.expectation({ pow(Self.sigmoid($0), 2) }, density: { _ in 0.5 }, from: -1, to: 1) - 0.25
        }
        #expect(abs(Self.mean(draws) - 0.5) < 0.01)
        #expect(abs(Self.variance(draws) - expected) < 0.1 * expected, "variance \(Self.variance(draws)) vs \(expected)")
    }

    /// Softmax of draws in [0, 1] keeps every weight in [1/(1 + (T−1)e), e/(e + T − 1)].
    @Test(arguments: ["uniform", "dirichlet"])
    func boundedDrawsGiveBoundedWeights(distribution: String) throws {
        let e = exp(1.0)
        for w in try Self.weights(["distribution": .string(distribution)], tasks: 3, steps: 300) {
            #expect(abs(w.reduce(0, +) - 1) < 1e-12)
            #expect(w.allSatisfy { $0 >= 1 / (1 + 2 * e) - 1e-12 && $0 <= e / (e + 2) + 1e-12 })
        }
    }

    /// Bernoulli(½) weights, redrawn while all are 0: P(λ_t = 1) = ½ / (1 − 2^−T).
    @Test func bernoulliWeightsAreZeroOrOneAndNeverAllZero() throws {
        let draws = try Self.weights(["distribution": .string("bernoulli")], tasks: 3, steps: 4000)
        #expect(draws.allSatisfy { w in w.allSatisfy { $0 == 0 || $0 == 1 } && w.contains(1) })
        for t in 0..<3 { #expect(abs(Self.mean(draws.map { $0[t] }) - 0.5 / (1 - 0.125)) < 0.03) }
    }

    @Test func constrainedBernoulliPicksOneTaskUniformly() throws {
        let draws = try Self.weights(["distribution": .string("constrained_bernoulli"), "sum_to_tasks": .boolean(true)],
                                     tasks: 3, steps: 3000)
        #expect(draws.allSatisfy { w in w.sorted() == [0, 0, 3] })
        for t in 0..<3 { #expect(abs(Self.mean(draws.map { $0[t] / 3 }) - 1.0 / 3) < 0.03) }
    }

    @Test func unknownDistributionIsAnInitError() throws {
        let error = try #require(throws: LuaPolicyError.self) {
            try Self.weights(["distribution": .string("cauchy")], tasks: 2, steps: 1)
        }
        #expect(error.description.contains("rlw: distribution must be"))
    }
}

/// policies/lib/sampling.lua against the distributions it claims.
@Suite("policies/lib/sampling.lua")
struct SamplingLibraryTests {
    @Test func permutationIsUniformOverTheOrders() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            for _ = 1, 6000 do
              for _, x in ipairs(sampling.permutation(3)) do out(x) end
            end
            """)
        var counts: [[Double]: Int] = [:]
        for k in stride(from: 0, to: values.count, by: 3) { counts[Array(values[k..<k + 3]), default: 0] += 1 }
        #expect(counts.count == 6 && counts.keys.allSatisfy { $0.sorted() == [1, 2, 3] })
        #expect(counts.values.allSatisfy { abs($0 - 1000) < 130 }, "\(counts)")
    }

    @Test func shuffledRearrangesACopy() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            local v = { 10, 20, 30, 40, 50 }
            local w = sampling.shuffled(v)
            for _, x in ipairs(w) do out(x) end
            for _, x in ipairs(v) do out(x) end
            """)
        #expect(Array(values[0..<5]).sorted() == [10, 20, 30, 40, 50])
        #expect(Array(values[5..<10]) == [10, 20, 30, 40, 50], "the argument is left alone")
    }

    @Test func exponentialHasMeanAndVarianceOne() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            for _ = 1, 20000 do out(sampling.exponential()) end
            """)
        #expect(values.allSatisfy { $0 >= 0 && $0.isFinite })
        #expect(abs(RLWPolicyTests.mean(values) - 1) < 0.03 && abs(RLWPolicyTests.variance(values) - 1) < 0.08)
    }

    /// Dir(1, 1, 1, 1): on the simplex, each entry Beta(1, 3) with mean ¼ and variance 3/80.
    @Test func flatDirichletIsUniformOnTheSimplex() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            for _ = 1, 5000 do
              for _, x in ipairs(sampling.flat_dirichlet(4)) do out(x) end
            end
            """)
        let draws = stride(from: 0, to: values.count, by: 4).map { Array(values[$0..<$0 + 4]) }
        #expect(draws.allSatisfy { d in d.allSatisfy { $0 >= 0 } && abs(d.reduce(0, +) - 1) < 1e-12 })
        let first = draws.map { $0[0] }
        #expect(abs(RLWPolicyTests.mean(first) - 0.25) < 0.01)
        #expect(abs(RLWPolicyTests.variance(first) - 3.0 / 80) < 0.004)
    }

    @Test func bernoulliHasTheRequestedFrequency() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            for _ = 1, 10000 do out(sampling.bernoulli(0.3) and 1 or 0) end
            """)
        #expect(abs(RLWPolicyTests.mean(values) - 0.3) < 0.02)
    }
}

@Suite("sampling.others")
struct SamplingOthersTests {
    @Test func othersListsEveryOtherTaskOnceInOrderOrShuffled() throws {
        let values = try runLua("""
            local sampling = require("sampling")
            for _, j in ipairs(sampling.others(4, 2, false)) do out(j) end
            for _ = 1, 50 do
              local seen = sampling.others(4, 2, true)
              table.sort(seen)
              for _, j in ipairs(seen) do out(j) end
            end
            """)
        #expect(Array(values[0..<3]) == [1, 3, 4])
        #expect(stride(from: 3, to: values.count, by: 3).allSatisfy { Array(values[$0..<$0 + 3]) == [1, 3, 4] })
    }
}
