import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/loss_power.lua: the DTP paper's "Loss Exponentiation" (Table 1), the loss Σ_t L_t^p.
@Suite("loss_power.lua")
struct LossPowerPolicyTests {
    /// As weights on L_t, the gradient of Σ L^p is w_t = p L_t^(p−1).
    @Test func weightsAreTheDerivativeOfTheLossPower() throws {
        let losses: [[Double]] = [[0.5, 1, 2, 4], [0.25, 3, 1, 0.01]]
        let trace = handMadeTrace(losses)
        let result = try run("loss_power", on: trace)
        for (step, loss) in losses.enumerated() {
            let expected = loss.map { 1.2 * pow($0, 0.2) }
            #expect(Linear.maxDifference(result.weights[step].shared, expected) < 1e-12)
        }
        // At L = 1 the weight is p; larger losses weigh more.
        #expect(result.weights[0].shared[1] == 1.2)
        #expect(result.weights[0].shared[3] > result.weights[0].shared[2])
    }

    /// The same, checked against a central finite difference of Σ_t L_t^p itself.
    @Test func weightsMatchAFiniteDifferenceOfTheExponentiatedLoss() throws {
        let loss = [0.7, 1.9, 0.2]
        let result = try run("loss_power", options: ["power": .number(1.7)], on: handMadeTrace([loss]))
        func total(_ l: [Double]) -> Double { l.map { pow($0, 1.7) }.reduce(0, +) }
        let h = 1e-6
        for t in loss.indices {
            var up = loss, down = loss
            up[t] += h; down[t] -= h
            #expect(abs(result.weights[0].shared[t] - (total(up) - total(down)) / (2 * h)) < 1e-7)
        }
    }

    @Test func randomTracesMatchTheFormula() throws {
        for tasks in 2...5 {
            for power in [1.2, 0.5, 2.0] {
                let trace = PolicyTrace.random(tasks: tasks, steps: 12, seed: UInt64(10 * tasks))
                let result = try run("loss_power", options: ["power": .number(power)], on: trace)
                for (step, signals) in trace.steps.enumerated() {
                    let expected = signals.loss.map { power * pow($0, power - 1) }
                    #expect(Linear.maxDifference(result.weights[step].shared, expected) < 1e-12)
                }
            }
        }
    }

    /// A zero loss is taken as 1e-12, so p < 1 still gives a finite weight.
    @Test func zeroLossKeepsTheWeightFinite() throws {
        let result = try run("loss_power", options: ["power": .number(0.5)], on: handMadeTrace([[0, 1]]))
        #expect(result.weights[0].shared == [0.5 * pow(1e-12, -0.5), 0.5])
    }

    @Test func nonPositivePowerIsAnInitError() throws {
        let policy = try LuaPolicy(file: shippedPolicy("loss_power"), options: ["power": .number(0)])
        let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
        #expect(error.phase == .initialisation && error.message.contains("power must be a finite number > 0"))
    }
}

/// A trace with the given losses per step (the first step's losses are the initial ones).
private func handMadeTrace(_ losses: [[Double]]) -> PolicyTrace {
    let names = losses[0].indices.map { "task\($0 + 1)" }
    let steps = losses.enumerated().map { step, loss in
        StepSignals(tasks: names, step: step + 1, epoch: 1, progress: 0, learningRate: 0.01, loss: loss,
                    initialLoss: losses[0], weights: names.map { _ in 1 })
    }
    return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
}
