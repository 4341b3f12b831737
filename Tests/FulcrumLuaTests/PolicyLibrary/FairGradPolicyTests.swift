import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/fairgrad.lua against FairGrad (Ban & Ji, ICML 2024): the α-fairness condition
/// (G w)_t = w_t^(−1/α), checked here on the Gram matrix of the gradient vectors. The policy answers
/// shared = T·w (the reference's "match the sum loss" factor), clipped to max_norm.
@Suite("FairGrad policy")
struct FairGradPolicyTests {
    static let noClipping: [String: SettingValue] = ["max_norm": .number(0)]

    /// max_t |w_t^(1/α) (G w)_t − 1| for the gradient vectors.
    static func fairnessResidual(_ w: [Double], _ gradients: [[Double]], alpha: Double) -> Double {
        let gw = Linear.matvec(Linear.gram(gradients), w)
        return zip(w, gw).map { abs(pow($0, 1 / alpha) * $1 - 1) }.max() ?? .infinity
    }

    /// G = diag(4, 1): g_t w_t = w_t^(−1/α) gives w_t = G_tt^(−α/(α+1)); with α = 2, w = (4^(−2/3), 1).
    @Test func orthogonalGradientsGetTheClosedFormWeights() throws {
        let trace = LinalgFixtures.trace(gradients: [[[2, 0], [0, 1]]])
        let answer = try run("fairgrad", options: ["alpha": .number(2), "max_norm": .number(0)], on: trace).weights[0]
        #expect(Linear.maxDifference(answer.shared, [2 * pow(4, -2.0 / 3), 2]) < 1e-10, "the solver stops at a residual of 1e-12")
        #expect(answer.heads == [1, 1], "the heads keep their own gradients")
    }

    @Test(arguments: [0.5, 1, 2, 4])
    func weightsSatisfyTheFairnessConditionOnRandomTraces(alpha: Double) throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 15, seed: 100 + UInt64(tasks))
            let options: [String: SettingValue] = ["alpha": .number(alpha), "max_norm": .number(0)]
            let (weights, logs) = try run("fairgrad", options: options, on: trace)
            for (step, gradients) in trace.gradients.enumerated() {
                let w = weights[step].shared.map { $0 / Double(tasks) }
                #expect(w.allSatisfy { $0 > 0 })
                #expect(Self.fairnessResidual(w, gradients, alpha: alpha) < 1e-6, "α = \(alpha), T = \(tasks), step \(step + 1)")
                #expect(logs[step].isEmpty)
            }
        }
    }

    /// α = 1 is Nash-MTL's condition on the raw Gram matrix: w_t (Gw)_t = 1, while Nash-MTL solves
    /// α_t (Gα)_t = ‖G‖_F, so α_Nash = √‖G‖_F · w. (Two policies, one relation between them.)
    @Test func proportionalFairnessIsNashMTLWithoutItsNormalisation() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 10, seed: 21)
        let fair = try run("fairgrad", options: Self.noClipping, on: trace).weights
        let nash = try run("nash_mtl", options: Self.noClipping, on: trace).weights
        for step in 0..<10 {
            let frobenius = trace.steps[step].gram!.flatMap { $0 }.map { $0 * $0 }.reduce(0, +).squareRoot()
            let w = fair[step].shared.map { $0 / 4 }
            let expected = Linear.scale(w, frobenius.squareRoot())
            #expect(Linear.maxDifference(nash[step].shared, expected) < 1e-8 * (expected.max() ?? 1))
        }
    }

    /// shared = T·w·min(1, max_norm / ‖T Σ w_t g_t‖).
    @Test(arguments: [1.0, 30.0])
    func theSharedGradientIsClippedToMaxNorm(maxNorm: Double) throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 15, seed: 33)
        let unclipped = try run("fairgrad", options: Self.noClipping, on: trace).weights
        let clipped = try run("fairgrad", options: ["max_norm": .number(maxNorm)], on: trace).weights
        var clippedSteps = 0
        for (step, gradients) in trace.gradients.enumerated() {
            let full = unclipped[step].shared
            let norm = Linear.norm(Linear.combine(gradients, full))
            #expect(Linear.maxDifference(clipped[step].shared, Linear.scale(full, min(1, maxNorm / norm))) < 1e-9 * (full.max() ?? 1))
            if norm > maxNorm { clippedSteps += 1 }
        }
        // With α = 1, ‖Σ w g‖ = √(wᵀGw) = √T whatever the gradients' scale, so T·√T ≈ 5.2 > 1 is always clipped.
        #expect(clippedSteps == (maxNorm == 1 ? 15 : 0))
    }

    @Test func withoutASolutionThePreviousWeightsAreKept() throws {
        let opposite: [[Double]] = [[1, 2], [-1, -2]]
        let trace = LinalgFixtures.trace(gradients: [opposite, [[2, 0], [0, 1]], opposite])
        let (weights, logs) = try run("fairgrad", options: Self.noClipping, on: trace)
        #expect(weights[0].shared == [1, 1], "T · (1/T)")
        #expect(logs[0] == [PolicyLog(name: "fairgrad_unsolved", value: 1)])
        #expect(Linear.maxDifference(weights[1].shared, [2 * pow(4, -0.5), 2]) < 1e-10 && logs[1].isEmpty)
        #expect(weights[2].shared == weights[1].shared)
        #expect(logs[2] == [PolicyLog(name: "fairgrad_unsolved", value: 1)])
    }

    @Test func invalidOptionsAreInitErrors() throws {
        for alpha in [0.0, -1] {
            let error = try #require(try LinalgFixtures.initError("fairgrad", ["alpha": .number(alpha)]))
            #expect(error.phase == .initialisation && error.message.contains("fairgrad: alpha must be > 0"))
        }
        let negative = try #require(try LinalgFixtures.initError("fairgrad", ["max_norm": .number(-0.5)]))
        #expect(negative.message.contains("fairgrad: max_norm must be ≥ 0"))
        #expect(try LinalgFixtures.initError("fairgrad", ["alpha": .number(0.25)]) == nil)
    }
}
