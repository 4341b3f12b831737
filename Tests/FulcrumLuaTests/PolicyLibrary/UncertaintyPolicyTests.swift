import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/uncertainty.lua: Kendall, Gal & Cipolla (CVPR 2018), L = Σ ½ e^(−s_t) L_t + ½ s_t, with s
/// learned by the policy's own optimiser; checked against an implementation written here.
@Suite("uncertainty.lua")
struct UncertaintyPolicyTests {
    /// Hand-computed: s = 0, SGD with lr 0.5, losses (2, 0.5).
    /// Step 1: w = ½ e⁰ = (0.5, 0.5); ∂/∂s = ½ − ½ L = (−0.5, 0.25); s ← (0.25, −0.125).
    /// Step 2: w = ½ e^(−s) = (0.5 e^(−0.25), 0.5 e^(0.125)).
    @Test func weightsComeFromTheLogVarianceBeforeItsUpdate() throws {
        let trace = handMadeTrace([[2, 0.5], [2, 0.5]])
        let result = try run("uncertainty", options: ["optimizer": .string("sgd"), "lr": .number(0.5)], on: trace)
        #expect(result.weights[0].shared == [0.5, 0.5])
        #expect(Linear.maxDifference(result.weights[1].shared, [0.5 * exp(-0.25), 0.5 * exp(0.125)]) < 1e-15)
        #expect(result.logs[0].map(\.name) == ["log_variance.task1", "log_variance.task2"])
        #expect(Linear.maxDifference(result.logs[0].map(\.value), [0.25, -0.125]) < 1e-15)
    }

    @Test func initialLogVarianceSetsTheFirstWeights() throws {
        let result = try run("uncertainty", options: ["initial_log_variance": .number(-0.5)], on: handMadeTrace([[1, 3, 5]]))
        #expect(Linear.maxDifference(result.weights[0].shared, [Double](repeating: 0.5 * exp(0.5), count: 3)) < 1e-15)
    }

    @Test func sgdAndAdamMatchAnIndependentImplementationOnRandomTraces() throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(40 + tasks))
            let settings: [(String, Double, Double)] = [("sgd", 0.2, 0), ("adam", 0.05, 0.3), ("adam", 0, 0)]
            for (optimizer, lr, initial) in settings {
                let result = try run("uncertainty", options: ["optimizer": .string(optimizer), "lr": .number(lr),
                                                              "initial_log_variance": .number(initial)], on: trace)
                let expected = reference(trace, optimizer: optimizer, lr: lr, initial: initial)
                for step in trace.steps.indices {
                    #expect(Linear.maxDifference(result.weights[step].shared, expected.weights[step]) < 1e-12)
                    #expect(Linear.maxDifference(result.logs[step].map(\.value), expected.logVariances[step]) < 1e-12)
                }
            }
        }
    }

    /// For constant losses the stationary point of ½ e^(−s) L + ½ s is s = log L, where w = 1 / (2L).
    @Test func logVarianceConvergesToTheLogOfASteadyLoss() throws {
        let loss = [4.0, 1.0, 0.25]
        let trace = handMadeTrace([[Double]](repeating: loss, count: 300))
        let sgd = try run("uncertainty", options: ["optimizer": .string("sgd"), "lr": .number(0.5)], on: trace)
        #expect(Linear.maxDifference(sgd.logs.last!.map(\.value), loss.map { log($0) }) < 1e-9)
        #expect(Linear.maxDifference(sgd.weights.last!.shared, loss.map { 1 / (2 * $0) }) < 1e-9)
        // Adam with a constant step keeps moving by about lr around the optimum.
        let longTrace = handMadeTrace([[Double]](repeating: loss, count: 3000))
        let adam = try run("uncertainty", options: ["lr": .number(0.01)], on: longTrace)
        #expect(Linear.maxDifference(adam.logs.last!.map(\.value), loss.map { log($0) }) < 0.05)
    }

    @Test func badOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["optimizer": .string("rmsprop")], "optimizer must be"),
            (["lr": .number(-1)], "lr must be ≥ 0"),
            (["beta1": .number(1)], "beta1 and beta2 must be in [0, 1)"),
        ]
        for (options, message) in cases {
            let policy = try LuaPolicy(file: shippedPolicy("uncertainty"), options: options)
            let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(options)")
        }
    }
}

/// Weights w = ½ e^(−s) from the current s, then one step on s with ∂/∂s = ½ − ½ e^(−s) L
/// (SGD, or Adam with β = (0.9, 0.999), ε = 1e-8); lr 0 means the step's learning rate.
private func reference(_ trace: PolicyTrace, optimizer: String, lr: Double, initial: Double)
    -> (weights: [[Double]], logVariances: [[Double]]) {
    let tasks = trace.taskCount
    var s = [Double](repeating: initial, count: tasks)
    var m = [Double](repeating: 0, count: tasks), v = m
    var weights: [[Double]] = [], logVariances: [[Double]] = []
    for (k, signals) in trace.steps.enumerated() {
        weights.append(s.map { 0.5 * exp(-$0) })
        let step = lr > 0 ? lr : signals.learningRate
        for t in 0..<tasks {
            let g = 0.5 - 0.5 * exp(-s[t]) * signals.loss[t]
            if optimizer == "sgd" {
                s[t] -= step * g
            } else {
                m[t] = 0.9 * m[t] + 0.1 * g
                v[t] = 0.999 * v[t] + 0.001 * g * g
                let mHat = m[t] / (1 - pow(0.9, Double(k + 1))), vHat = v[t] / (1 - pow(0.999, Double(k + 1)))
                s[t] -= step * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        logVariances.append(s)
    }
    return (weights, logVariances)
}

private func handMadeTrace(_ losses: [[Double]]) -> PolicyTrace {
    let names = losses[0].indices.map { "task\($0 + 1)" }
    let steps = losses.enumerated().map { step, loss in
        StepSignals(tasks: names, step: step + 1, epoch: 1, progress: 0, learningRate: 0.01, loss: loss,
                    initialLoss: losses[0], weights: names.map { _ in 1 })
    }
    return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
}
