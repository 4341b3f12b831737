import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/db_mtl.lua and policies/excess_mtl.lua on hand-made history signals.
@Suite("db_mtl.lua and excess_mtl.lua")
struct GradientHistoryPolicyTests {
    func step(_ number: Int, loss: [Double], emaGram: [[Double]]? = nil, adagrad: [Double]? = nil) -> StepSignals {
        let names = loss.indices.map { "task\($0 + 1)" }
        var s = StepSignals(tasks: names, step: number, epoch: 1, progress: 0, learningRate: 0.01, loss: loss,
                            initialLoss: loss, weights: names.map { _ in 1 })
        s.gradientEMAGram = emaGram
        s.adagradNorm = adagrad
        return s
    }

    /// shared_t = α_t / L_t with α_t = max_u ‖ĝ_u‖ / ‖ĝ_t‖; heads_t = 1 / L_t.
    @Test func dbMTLScalesEveryLogLossGradientToTheLargestAveragedNorm() throws {
        let gram = [[4.0, 1, 0], [1, 1, 0.5], [0, 0.5, 0.25]]   // averaged norms 2, 1, 0.5
        let trace = PolicyTrace(steps: [step(1, loss: [0.5, 2, 4], emaGram: gram)], gradients: [], representationGradients: [])
        let answer = try run("db_mtl", on: trace).weights[0]
        let inverse = [0.5, 2, 4].map { 1 / ($0 + 1e-8) }
        #expect(Linear.maxDifference(answer.heads, inverse) < 1e-12)
        #expect(Linear.maxDifference(answer.shared, zip([1.0, 2, 4], inverse).map { $0 * $1 }) < 1e-12)
        // The trunk's update Σ_t shared_t g_t gives every task's log-loss gradient the norm 2 (with g_t = L_t ∇ log L_t).
    }

    @Test func dbMTLRefusesAveragesOfRawGradients() throws {
        let trace = PolicyTrace(steps: [step(1, loss: [1, 1], emaGram: [[1, 0], [0, 1]])], gradients: [], representationGradients: [])
        let error = try #require(throws: LuaPolicyError.self) { try run("db_mtl", options: ["grad_ema_log": .boolean(false)], on: trace) }
        #expect(error.message.hasSuffix("db_mtl: grad_ema_log must be true (DB-MTL averages the log-loss gradients)"))
    }

    /// w ← w · exp(η r_t / r_t(1)), renormalised to Σ w = T, from the second step on.
    @Test func excessMTLAscendsTheRelativeExcessRisks() throws {
        let risks = [[2.0, 1, 4], [1.0, 1, 1], [0.5, 2, 4]]
        let trace = PolicyTrace(steps: risks.enumerated().map { step($0.offset + 1, loss: [1, 1, 1], adagrad: $0.element) },
                                gradients: [], representationGradients: [])
        let eta = 0.5
        let result = try run("excess_mtl", options: ["robust_step_size": .number(eta)], on: trace)
        var w = [1.0, 1, 1]
        #expect(result.weights[0].shared == w)
        for k in 1..<risks.count {
            w = zip(w, zip(risks[k], risks[0])).map { $0 * exp(eta * $1.0 / $1.1) }
            let total = w.reduce(0, +)
            w = w.map { 3 * $0 / total }
            #expect(Linear.maxDifference(result.weights[k].shared, w) < 1e-12, "step \(k + 1)")
        }
        #expect(result.weights[2].shared[1] > result.weights[2].shared[0], "the task whose risk doubled gains on the one whose risk fell")
    }
}

/// policies/config.lua against the least-squares construction on explicit gradient vectors.
@Suite("config.lua")
struct ConFIGPolicyTests {
    /// d = Aᵀ (A Aᵀ)⁻¹ 1 (A's rows the unit gradients: the minimum-norm solution of A d = 1 when A has
    /// full row rank); the update is (Σ_t g_t · d̂) d̂.
    @Test func updateIsTheProjectionLengthAlongTheEqualCosineDirection() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 12, seed: 31, dimension: 9)
        let result = try run("config", on: trace)
        for (step, gradients) in trace.gradients.enumerated() {
            let units = gradients.map { Linear.scale($0, 1 / Linear.norm($0)) }
            let lambda = try #require(Linear.solve(Linear.gram(units), units.map { _ in 1.0 }))
            let d = Linear.combine(units, lambda)
            let direction = Linear.scale(d, 1 / Linear.norm(d))
            let length = gradients.reduce(0.0) { $0 + Linear.dot($1, direction) }
            let expected = Linear.scale(direction, length)
            let answer = result.weights[step]
            let update = Linear.combine(gradients, answer.shared)
            #expect(Linear.maxDifference(update, expected) < 1e-9 * max(1, Linear.norm(expected)), "step \(step + 1)")
            #expect(answer.heads == [1, 1, 1, 1])
            let cosines = units.map { Linear.dot($0, direction) }
            #expect((cosines.max()! - cosines.min()!) < 1e-9, "equal cosine with every task")
        }
    }

    @Test func collinearGradientsAreSolvedByThePseudoInverse() throws {
        // g_2 = 3 g_1 and g_3 = −g_1: C has rank 1 and C⁺1 makes d point along g_1.
        let g1 = [1.0, 2, 0]
        let gradients = [g1, Linear.scale(g1, 3), Linear.scale(g1, -1)]
        var s = StepSignals(tasks: ["a", "b", "c"], step: 1, epoch: 1, progress: 0, learningRate: 0.01,
                            loss: [1, 1, 1], initialLoss: [1, 1, 1], weights: [1, 1, 1])
        s.gram = Linear.gram(gradients)
        let answer = try run("config", on: PolicyTrace(steps: [s], gradients: [gradients], representationGradients: [])).weights[0]
        let update = Linear.combine(gradients, answer.shared)
        // Rows (û, û, −û): the minimum-norm d is along û (the −û row's equation has no solution and
        // least squares averages it away); the length is Σ g_t·û = (1 + 3 − 1)‖g_1‖, so the update is 3 g_1.
        #expect(Linear.maxDifference(update, Linear.scale(g1, 3)) < 1e-9)
    }

    @Test func aZeroGradientTakesNoPartAndAllZeroIsEqualWeights() throws {
        func answer(_ gradients: [[Double]]) throws -> (TaskWeights, [PolicyLog]) {
            var s = StepSignals(tasks: ["a", "b"], step: 1, epoch: 1, progress: 0, learningRate: 0.01,
                                loss: [1, 1], initialLoss: [1, 1], weights: [1, 1])
            s.gram = Linear.gram(gradients)
            let result = try run("config", on: PolicyTrace(steps: [s], gradients: [gradients], representationGradients: []))
            return (result.weights[0], result.logs[0])
        }
        let (one, _) = try answer([[0, 0], [3, 4]])
        #expect(one.shared[0] == 0 && abs(one.shared[1] - 1) < 1e-12, "the update is g_2 itself")
        let (none, logs) = try answer([[0, 0], [0, 0]])
        #expect(none.shared == [1, 1] && logs.contains { $0.name == "config_degenerate" })
    }
}
