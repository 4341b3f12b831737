import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/nash_mtl.lua against Nash-MTL (Navon et al., ICML 2022): the bargaining condition
/// α_t (Ĝα)_t = 1 with Ĝ = G / ‖G‖_F, checked here on the Gram matrix of the gradient vectors.
@Suite("Nash-MTL policy")
struct NashMTLPolicyTests {
    static let noClipping: [String: SettingValue] = ["max_norm": .number(0)]

    /// G / ‖G‖_F, as the reference normalises it.
    static func normalised(_ gram: [[Double]]) -> [[Double]] {
        let frobenius = gram.flatMap { $0 }.map { $0 * $0 }.reduce(0, +).squareRoot()
        return gram.map { $0.map { $0 / frobenius } }
    }

    /// max_t |α_t (Ĝα)_t − 1| for the gradient vectors.
    static func bargainingResidual(_ alpha: [Double], _ gradients: [[Double]]) -> Double {
        let g = normalised(Linear.gram(gradients))
        return zip(alpha, Linear.matvec(g, alpha)).map { abs($0 * $1 - 1) }.max() ?? .infinity
    }

    /// g_1 = (2, 0), g_2 = (0, 1): Ĝ = diag(4, 1)/√17, so α_t = 1/√Ĝ_tt = (17^¼ / 2, 17^¼).
    @Test func orthogonalGradientsGetTheClosedFormBargainingWeights() throws {
        let trace = LinalgFixtures.trace(gradients: [[[2, 0], [0, 1]]])
        let answer = try run("nash_mtl", options: Self.noClipping, on: trace).weights[0]
        let root = pow(17, 0.25)
        #expect(Linear.maxDifference(answer.shared, [root / 2, root]) < 1e-10)
        #expect(answer.heads == [1, 1], "the heads keep their own gradients")
    }

    @Test(arguments: 2...5)
    func weightsSatisfyTheBargainingConditionOnRandomTraces(tasks: Int) throws {
        for seed: UInt64 in 1...3 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 20, seed: 80 + seed)
            let (weights, logs) = try run("nash_mtl", options: Self.noClipping, on: trace)
            for (step, gradients) in trace.gradients.enumerated() {
                let alpha = weights[step].shared
                #expect(alpha.allSatisfy { $0 > 0 })
                #expect(Self.bargainingResidual(alpha, gradients) < 1e-6, "T = \(tasks), seed \(seed), step \(step + 1)")
                #expect(logs[step].isEmpty)
            }
        }
    }

    /// The reference clips the shared gradient after the backward pass: ‖Σ α_t g_t‖ ≤ max_norm, direction kept.
    @Test(arguments: [1.0, 4.0, 1e6])
    func theSharedGradientIsClippedToMaxNorm(maxNorm: Double) throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 20, seed: 9)
        let unclipped = try run("nash_mtl", options: Self.noClipping, on: trace).weights
        let clipped = try run("nash_mtl", options: ["max_norm": .number(maxNorm)], on: trace).weights
        var clippedSteps = 0
        for (step, gradients) in trace.gradients.enumerated() {
            let alpha = unclipped[step].shared
            let norm = Linear.norm(Linear.combine(gradients, alpha))
            let expected = Linear.scale(alpha, min(1, maxNorm / norm))
            #expect(Linear.maxDifference(clipped[step].shared, expected) < 1e-9 * (alpha.max() ?? 1))
            #expect(Linear.norm(Linear.combine(gradients, clipped[step].shared)) <= maxNorm * (1 + 1e-12))
            if norm > maxNorm { clippedSteps += 1 }
        }
        if maxNorm == 1 { #expect(clippedSteps > 0, "the fixture exercises clipping") }
        if maxNorm == 1e6 { #expect(clippedSteps == 0) }
    }

    /// update_every = 3: α is solved at steps 1, 4, 7 and reused in between (clipping still uses each step's
    /// own gradients).
    @Test func weightsAreRecomputedEveryUpdateEverySteps() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 9, seed: 12)
        let held = try run("nash_mtl", options: ["max_norm": .number(0), "update_every": .number(3)], on: trace).weights
        for block in 0..<3 {
            let first = 3 * block
            #expect(Self.bargainingResidual(held[first].shared, trace.gradients[first]) < 1e-6)
            #expect(held[first + 1].shared == held[first].shared && held[first + 2].shared == held[first].shared)
            if block > 0 { #expect(held[first].shared != held[first - 1].shared) }
        }
        let clipped = try run("nash_mtl", options: ["max_norm": .number(1), "update_every": .number(3)], on: trace).weights
        for step in 0..<9 {
            let alpha = held[step].shared
            let norm = Linear.norm(Linear.combine(trace.gradients[step], alpha))
            #expect(Linear.maxDifference(clipped[step].shared, Linear.scale(alpha, min(1, 1 / norm))) < 1e-9 * (alpha.max() ?? 1))
        }
    }

    /// weight_heads = true reproduces the reference's weighted loss: the heads get the (unclipped) α too.
    @Test func weightHeadsGivesTheHeadsTheBargainingWeights() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 5, seed: 3)
        let unclipped = try run("nash_mtl", options: Self.noClipping, on: trace).weights
        let weighted = try run("nash_mtl", options: ["weight_heads": .boolean(true)], on: trace).weights
        for step in 0..<5 {
            #expect(Linear.maxDifference(weighted[step].heads, unclipped[step].shared) < 1e-12)
        }
    }

    /// Opposite gradients (g_2 = −g_1) have no bargaining solution: the weights of the last solved step stay
    /// (ones before any), and the step logs it.
    @Test func withoutASolutionThePreviousWeightsAreKept() throws {
        let opposite: [[Double]] = [[1, 2], [-1, -2]]
        let trace = LinalgFixtures.trace(gradients: [opposite, [[2, 0], [0, 1]], opposite])
        let (weights, logs) = try run("nash_mtl", options: Self.noClipping, on: trace)
        #expect(weights[0].shared == [1, 1])
        #expect(logs[0] == [PolicyLog(name: "nash_unsolved", value: 1)])
        let root = pow(17, 0.25)
        #expect(Linear.maxDifference(weights[1].shared, [root / 2, root]) < 1e-10 && logs[1].isEmpty)
        #expect(weights[2].shared == weights[1].shared)
        #expect(logs[2] == [PolicyLog(name: "nash_unsolved", value: 1)])
    }

    @Test func invalidOptionsAreInitErrors() throws {
        let negative = try #require(try LinalgFixtures.initError("nash_mtl", ["max_norm": .number(-1)]))
        #expect(negative.phase == .initialisation && negative.message.contains("nash_mtl: max_norm must be ≥ 0"))
        for every in [0, 2.5] {
            let error = try #require(try LinalgFixtures.initError("nash_mtl", ["update_every": .number(every)]))
            #expect(error.message.contains("nash_mtl: update_every must be a whole number ≥ 1"))
        }
        #expect(try LinalgFixtures.initError("nash_mtl", ["update_every": .number(25), "max_norm": .number(0)]) == nil)
    }
}
