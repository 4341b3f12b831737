import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/gradnorm.lua: GradNorm (Chen et al., ICML 2018), checked against an implementation written here.
@Suite("gradnorm.lua")
struct GradNormPolicyTests {
    @Test func asksForGradientNormsOnTheLastSharedLayer() throws {
        let policy = try LuaPolicy(file: shippedPolicy("gradnorm"))
        #expect(policy.needs == [.gradientNorm])
        #expect(policy.gradientNormScope == .lastSharedLayer)
    }

    /// Hand-computed, lr 0.1, α = 1: step 1 has L = L(0), so r = 1; n = (2, 1), w = (1, 1):
    /// G = (2, 1), Ḡ = 1.5, target (1.5, 1.5), sign (+, −), ∂/∂w = (2, −1); w = (0.8, 1.1) → ×2/1.9.
    @Test func firstStepReturnsOnesThenMovesTowardEqualGradientNorms() throws {
        let trace = handMadeTrace(losses: [[1, 1], [0.5, 1]], norms: [[2, 1], [2, 1]])
        let result = try run("gradnorm", options: ["lr": .number(0.1), "alpha": .number(1)], on: trace)
        #expect(result.weights[0].shared == [1, 1])
        #expect(Linear.maxDifference(result.weights[1].shared, [1.6 / 1.9, 2.2 / 1.9]) < 1e-15)
        #expect(abs(result.logs[0].first { $0.name == "l_grad" }!.value - 1) < 1e-15)
    }

    @Test func randomTracesMatchTheUpdateRule() throws {
        for tasks in 2...5 {
            for (alpha, lr) in [(1.5, 0.025), (0.12, 0.1), (3.0, 0.5)] {
                let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(80 + tasks))
                let result = try run("gradnorm", options: ["alpha": .number(alpha), "lr": .number(lr)], on: trace)
                let expected = reference(trace, alpha: alpha, lr: lr)
                for step in trace.steps.indices {
                    #expect(Linear.maxDifference(result.weights[step].shared, expected.weights[step]) < 1e-12)
                    #expect(abs(result.logs[step].first { $0.name == "l_grad" }!.value - expected.lossGrad[step]) < 1e-12)
                    #expect(abs(result.weights[step].shared.reduce(0, +) - Double(tasks)) < 1e-12)
                }
            }
        }
    }

    /// Equal training rates (r = 1) and steady gradient norms: the weighted norms w_t n_t equalise,
    /// up to the oscillation of a fixed step (G_t moves by lr · n_t² per step).
    @Test func equalRatesEqualiseTheWeightedGradientNorms() throws {
        let norms = [4.0, 1.0, 0.5]
        let trace = handMadeTrace(losses: [[Double]](repeating: [1, 1, 1], count: 3000), norms: [[Double]](repeating: norms, count: 3000))
        let result = try run("gradnorm", options: ["lr": .number(0.001)], on: trace)
        let g = zip(result.weights.last!.shared, norms).map { $0 * $1 }
        let mean = g.reduce(0, +) / 3
        #expect(g.allSatisfy { abs($0 - mean) / mean < 0.05 }, "\(g)")
    }

    /// A step larger than a weight stops at the floor and never goes negative.
    @Test func weightsStayPositiveUnderALargeStep() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 20, seed: 5)
        let result = try run("gradnorm", options: ["lr": .number(50)], on: trace)
        #expect(result.weights.allSatisfy { $0.shared.allSatisfy { $0 > 0 && $0.isFinite } })
    }

    @Test func negativeAlphaIsAnInitError() throws {
        let policy = try LuaPolicy(file: shippedPolicy("gradnorm"), options: ["alpha": .number(-0.5)])
        let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
        #expect(error.phase == .initialisation && error.message.contains("alpha must be ≥ 0"))
    }
}

/// GradNorm from the paper: G_t = w_t n_t, Ḡ = mean G, r_t = L̃_t / mean L̃ with L̃ = L / L(0),
/// L_grad = Σ |G_t − Ḡ r_t^α| (target constant), w_t ← max(w_t − lr sign(G_t − Ḡ r_t^α) n_t, 1e-4),
/// renormalised to Σ w = T. The answer at each step is w before its update.
private func reference(_ trace: PolicyTrace, alpha: Double, lr: Double) -> (weights: [[Double]], lossGrad: [Double]) {
    let tasks = Double(trace.taskCount)
    var w = [Double](repeating: 1, count: trace.taskCount)
    var weights: [[Double]] = [], lossGrad: [Double] = []
    for signals in trace.steps {
        weights.append(w)
        let norms = signals.gradientNorm!
        let g = zip(w, norms).map { $0 * $1 }
        let meanG = g.reduce(0, +) / tasks
        let ratios = zip(signals.loss, signals.initialLoss).map { $0 / $1 }
        let meanRatio = ratios.reduce(0, +) / tasks
        let targets = ratios.map { meanG * pow($0 / meanRatio, alpha) }
        lossGrad.append(zip(g, targets).map { abs($0 - $1) }.reduce(0, +))
        let stepped = w.indices.map { t in
            let sign: Double = g[t] > targets[t] ? 1 : (g[t] < targets[t] ? -1 : 0)
            return max(w[t] - lr * sign * norms[t], 1e-4)
        }
        let total = stepped.reduce(0, +)
        w = stepped.map { tasks * $0 / total }
    }
    return (weights, lossGrad)
}

private func handMadeTrace(losses: [[Double]], norms: [[Double]]) -> PolicyTrace {
    let names = losses[0].indices.map { "task\($0 + 1)" }
    let steps = losses.indices.map { step in
        var signals = StepSignals(tasks: names, step: step + 1, epoch: 1, progress: 0, learningRate: 0.01, loss: losses[step],
                                  initialLoss: losses[0], weights: names.map { _ in 1 })
        signals.gradientNorm = norms[step]
        return signals
    }
    return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
}
