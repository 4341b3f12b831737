import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/self_paced.lua: w = argmin_{w ∈ [0,1]^T} Σ w_t L_t + f(w; λ), with λ = λ₀ · growth^(epoch − 1).
@Suite("self_paced.lua")
struct SelfPacedPolicyTests {
    /// Losses (0.2, 1, 3), λ₀ = 0.5, growth 2: λ = 0.5, 1, 2, 4 over epochs 1…4.
    @Test func hardSelectionAdmitsHarderTasksAsTheAgeGrows() throws {
        let trace = handMadeTrace([[0.2, 1, 3]], epochs: [1, 2, 3, 4])
        let result = try run("self_paced", options: ["lambda0": .number(0.5), "growth": .number(2)], on: trace)
        #expect(result.weights.map(\.shared) == [[1, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
        #expect(result.logs.map { $0.first { $0.name == "lambda" }!.value } == [0.5, 1, 2, 4])
    }

    @Test func linearRegulariserWeighsByDistanceBelowTheAge() throws {
        let trace = handMadeTrace([[0.2, 1, 3]], epochs: [3, 4])
        let result = try run("self_paced", options: ["lambda0": .number(0.5), "growth": .number(2),
                                                     "regulariser": .string("linear")], on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [0.9, 0.5, 0]) < 1e-15)
        #expect(Linear.maxDifference(result.weights[1].shared, [0.95, 0.75, 0.25]) < 1e-15)
    }

    /// The answer minimises Σ w_t L_t + f(w; λ) over [0, 1]^T (checked per task on a fine grid).
    @Test func weightsMinimiseTheSelfPacedObjective() throws {
        for regulariser in ["hard", "linear"] {
            let trace = PolicyTrace.random(tasks: 4, steps: 20, seed: 7, stepsPerEpoch: 4)
            let result = try run("self_paced", options: ["regulariser": .string(regulariser)], on: trace, stepsPerEpoch: 4)
            for (step, signals) in trace.steps.enumerated() {
                let lambda = result.logs[step].first { $0.name == "lambda" }!.value
                let fellBack = result.logs[step].contains { $0.name == "fallback" }
                if fellBack { continue }
                for (t, loss) in signals.loss.enumerated() {
                    func objective(_ w: Double) -> Double {
                        regulariser == "hard" ? w * loss - lambda * w : w * loss + lambda * (0.5 * w * w - w)
                    }
                    let chosen = objective(result.weights[step].shared[t])
                    let best = stride(from: 0.0, through: 1.0, by: 0.001).map(objective).min()!
                    #expect(chosen <= best + 1e-12, "\(regulariser) step \(step + 1) task \(t + 1)")
                }
            }
        }
    }

    @Test func randomTracesMatchTheClosedFormAndSchedule() throws {
        for tasks in 2...5 {
            for (regulariser, quantile, growth) in [("hard", 0.5, 1.3), ("linear", 0.75, 1.1), ("hard", 1.0, 1.0)] {
                let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(60 + tasks), stepsPerEpoch: 5)
                let result = try run("self_paced", options: ["regulariser": .string(regulariser), "initial_quantile": .number(quantile),
                                                             "growth": .number(growth)], on: trace, stepsPerEpoch: 5)
                let first = trace.steps[0].loss.sorted()
                let position = quantile * Double(tasks - 1)
                let below = Int(position.rounded(.down)), above = min(below + 1, tasks - 1)
                let lambda0 = first[below] + (position - Double(below)) * (first[above] - first[below])
                for (step, signals) in trace.steps.enumerated() {
                    let lambda = lambda0 * pow(growth, Double(signals.epoch - 1))
                    var expected = signals.loss.map { regulariser == "hard" ? ($0 < lambda ? 1.0 : 0) : max(0, 1 - $0 / lambda) }
                    if expected.allSatisfy({ $0 == 0 }) { expected[signals.loss.indices.min { signals.loss[$0] < signals.loss[$1] }!] = 1 }
                    #expect(Linear.maxDifference(result.weights[step].shared, expected) < 1e-12)
                    #expect(abs(result.logs[step].first { $0.name == "lambda" }!.value - lambda) < 1e-12)
                }
            }
        }
    }

    /// No task below the age: the easiest one still trains, and the policy says so.
    @Test func theEasiestTaskAlwaysTrains() throws {
        let trace = handMadeTrace([[2, 0.9, 5]], epochs: [1])
        for regulariser in ["hard", "linear"] {
            let result = try run("self_paced", options: ["lambda0": .number(0.5), "regulariser": .string(regulariser)], on: trace)
            #expect(result.weights[0].shared == [0, 1, 0])
            #expect(result.logs[0].contains { $0.name == "fallback" && $0.value == 1 })
        }
    }

    @Test func badOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["regulariser": .string("mixture")], "regulariser must be"),
            (["growth": .number(0.9)], "growth must be ≥ 1"),
            (["initial_quantile": .number(0)], "initial_quantile must be in (0, 1]"),
            (["lambda0": .number(-1)], "lambda0 must be ≥ 0"),
        ]
        for (options, message) in cases {
            let policy = try LuaPolicy(file: shippedPolicy("self_paced"), options: options)
            let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(options)")
        }
    }
}

/// One step per epoch given, each with the same losses `losses[0]` unless more rows are given.
private func handMadeTrace(_ losses: [[Double]], epochs: [Int]) -> PolicyTrace {
    let names = losses[0].indices.map { "task\($0 + 1)" }
    let steps = epochs.enumerated().map { step, epoch in
        StepSignals(tasks: names, step: step + 1, epoch: epoch, progress: 0, learningRate: 0.01,
                    loss: losses[min(step, losses.count - 1)], initialLoss: losses[0], weights: names.map { _ in 1 })
    }
    return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
}
