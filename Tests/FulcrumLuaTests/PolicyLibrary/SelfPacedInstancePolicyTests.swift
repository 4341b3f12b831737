import FulcrumCore
import FulcrumLua
import Testing

/// policies/self_paced_instance.lua: V = argmin_{V ∈ [0,1]^{T×B}} Σ v(r − λ) + γ Σ_t ‖v_t‖₂, on the
/// relative per-example losses r = ℓ / L(1).
@Suite("self_paced_instance.lua")
struct SelfPacedInstancePolicyTests {
    /// One step with per-example losses `rows` (first loss 1 per task, so r = ℓ) at λ₀ = `lambda`.
    func answer(_ rows: [[Double]], lambda: Double, taskGamma: Double) throws -> (TaskWeights, [PolicyLog]) {
        let names = rows.indices.map { "task\($0 + 1)" }
        var signals = StepSignals(tasks: names, step: 1, epoch: 1, progress: 0, learningRate: 0.01,
                                  loss: rows.map { $0.reduce(0, +) / Double($0.count) }, initialLoss: names.map { _ in 1 },
                                  weights: names.map { _ in 1 })
        signals.exampleLoss = rows
        let trace = PolicyTrace(steps: [signals], gradients: [], representationGradients: [])
        let result = try run("self_paced_instance", options: ["lambda0": .number(lambda), "task_gamma": .number(taskGamma)], on: trace)
        return (result.weights[0], result.logs[0])
    }

    /// The objective of one task's weights, written out.
    func objective(_ v: [Double], _ r: [Double], lambda: Double, gamma: Double) -> Double {
        zip(v, r).reduce(0) { $0 + $1.0 * ($1.1 - lambda) } + gamma * Linear.norm(v)
    }

    /// Against a brute-force search over a 0.02 grid of [0, 1]³: no grid point beats the answer.
    @Test func exampleWeightsMinimiseTheTaskOrientedObjective() throws {
        let rows = [[0.1, 0.5, 0.9], [0.3, 0.35, 2.0], [0.7, 1.5, 1.6], [1.2, 1.4, 3.0]]
        let lambda = 1.0, taskGamma = 0.3, gamma = taskGamma * lambda * Double(3).squareRoot()
        let (weights, _) = try answer(rows, lambda: lambda, taskGamma: taskGamma)
        let examples = try #require(weights.examples)
        for (t, r) in rows.enumerated() {
            let v = examples[t] ?? [0, 0, 0]
            var best = Double.infinity
            for i in 0...50 { for j in 0...50 { for k in 0...50 {
                best = min(best, objective([Double(i), Double(j), Double(k)].map { $0 / 50 }, r, lambda: lambda, gamma: gamma))
            } } }
            #expect(objective(v, r, lambda: lambda, gamma: gamma) <= best + 1e-12, "task \(t + 1): v = \(v)")
            #expect(weights.shared[t] == (examples[t] == nil ? 0 : 1))
        }
        // Task 4 has no example under λ; task 3 one easy example whose margin 0.3 does not outweigh γ ≈ 0.52.
        #expect(examples[3] == nil && examples[2] == nil)
        #expect(examples[0] != nil && examples[1] != nil)
    }

    @Test func withoutTheTaskChargeItIsKumarsHardSelection() throws {
        let (weights, logs) = try answer([[0.1, 0.5, 0.9, 1.1], [1.5, 0.2, 3.0, 0.99]], lambda: 1.0, taskGamma: 0)
        #expect(weights.examples == [[1, 1, 1, 0], [0, 1, 0, 1]])
        #expect(weights.shared == [1, 1])
        #expect(logs.first { $0.name == "examples_used" }?.value == 5.0 / 8)
    }

    @Test func whenNoExampleIsEasyTheEasiestTaskTrainsOnItsWholeBatch() throws {
        let (weights, logs) = try answer([[2.0, 3.0], [1.5, 1.6]], lambda: 1.0, taskGamma: 0.25)
        #expect(weights.shared == [0, 1])
        #expect(weights.examples?.allSatisfy { $0 == nil } ?? true)
        #expect(logs.contains { $0.name == "fallback" && $0.value == 1 })
    }

    @Test func theAgeGrowsPerEpochFromTheInitialQuantile() throws {
        let names = ["a", "b"]
        let steps = [1, 2, 3].map { epoch -> StepSignals in
            var s = StepSignals(tasks: names, step: epoch, epoch: epoch, progress: 0, learningRate: 0.01,
                                loss: [1, 2], initialLoss: [1, 2], weights: [1, 1])
            s.exampleLoss = [[0.5, 1.5], [1.0, 3.0]]   // relative: 0.5, 1.5 and 0.5, 1.5: median 1.0
            return s
        }
        let result = try run("self_paced_instance", options: ["growth": .number(2)],
                             on: PolicyTrace(steps: steps, gradients: [], representationGradients: []))
        #expect(result.logs.map { $0.first { $0.name == "lambda" }!.value } == [1, 2, 4])
    }
}
