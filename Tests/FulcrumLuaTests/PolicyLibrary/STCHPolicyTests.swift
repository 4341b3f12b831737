import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// Smooth Tchebycheff scalarisation (Lin et al., ICML 2024) as in the authors' multi-task code: log-loss
/// warm-up for W epochs, the nadir n = mean loss over epoch W + 1, then
/// loss = T μ log Σ_t exp(λ_t log(L_t / n_t) / μ), whose gradient gives w_t = T λ_t p_t / L_t with
/// p = softmax(λ ⊙ log(L / n) / μ).
@Suite("policies/stch.lua")
struct STCHPolicyTests {
    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    /// The scalarised loss of the reference, T μ log Σ_t exp(λ_t log(L_t / n_t) / μ).
    static func scalarised(_ loss: [Double], nadir: [Double], preference: [Double], mu: Double) -> Double {
        let terms = loss.indices.map { preference[$0] * log(loss[$0] / nadir[$0]) / mu }
        let top = terms.max()!
        return Double(loss.count) * mu * (top + log(terms.map { exp($0 - top) }.reduce(0, +)))
    }

    /// The weights of the reference after warm-up, written from the softmax.
    static func expectedWeights(_ loss: [Double], nadir: [Double], preference: [Double], mu: Double) -> [Double] {
        let terms = loss.indices.map { preference[$0] * log(loss[$0] / nadir[$0]) / mu }
        let exps = terms.map { exp($0 - terms.max()!) }
        let total = exps.reduce(0, +)
        return loss.indices.map { Double(loss.count) * preference[$0] * exps[$0] / total / loss[$0] }
    }

    /// warmup_epochs = 1 with 4 steps per epoch: epoch 1 warms up, epoch 2 also averages the losses, from
    /// epoch 3 on the smooth Tchebycheff gradient.
    @Test(arguments: [(3, 1.0, false), (2, 0.2, false), (4, 0.5, true), (5, 1.0, true)])
    func followsTheReferenceAfterAWarmUp(tasks: Int, mu: Double, withPreference: Bool) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 16, seed: UInt64(400 + tasks), stepsPerEpoch: 4)
        let preference = withPreference ? (0..<tasks).map { 0.5 + Double($0) * 0.4 } : [Double](repeating: 1, count: tasks)
        var options: [String: SettingValue] = ["mu": .number(mu), "warmup_epochs": .number(1)]
        if withPreference { options["preference"] = .list(preference.map(SettingValue.number)) }
        let weights = try run("stch", options: options, on: trace, stepsPerEpoch: 4).weights
        let averaging = trace.steps[4..<8].map(\.loss)
        let nadir = (0..<tasks).map { t in averaging.map { $0[t] }.reduce(0, +) / 4 }
        for (k, answer) in weights.enumerated() {
            let loss = trace.steps[k].loss
            let expected = k < 8 ? loss.map { 1 / $0 }
                                 : Self.expectedWeights(loss, nadir: nadir, preference: preference, mu: mu)
            for t in 0..<tasks { #expect(Self.relative(answer.shared[t], expected[t]) < 1e-9, "step \(k + 1) task \(t + 1)") }
        }
    }

    /// After warm-up the weights are ∂/∂L_t of the scalarised loss (central differences).
    @Test func weightsAreTheGradientOfTheScalarisedLoss() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 12, seed: 41, stepsPerEpoch: 4)
        let preference = [1.0, 2.0, 0.5], mu = 0.3
        let weights = try run("stch", options: ["mu": .number(mu), "warmup_epochs": .number(1),
                                                "preference": .list(preference.map(SettingValue.number))],
                              on: trace, stepsPerEpoch: 4).weights
        let nadir = (0..<3).map { t in trace.steps[4..<8].map { $0.loss[t] }.reduce(0, +) / 4 }
        for k in 8..<12 {
            let loss = trace.steps[k].loss
            for t in 0..<3 {
                let h = 1e-6 * loss[t]
                var up = loss, down = loss
                up[t] += h
                down[t] -= h
                let derivative = (Self.scalarised(up, nadir: nadir, preference: preference, mu: mu)
                    - Self.scalarised(down, nadir: nadir, preference: preference, mu: mu)) / (2 * h)
                #expect(Self.relative(weights[k].shared[t], derivative) < 1e-6)
            }
        }
    }

    /// The reference's defaults: four warm-up epochs and the averaging epoch, STCH from epoch 6, μ = 1.
    @Test func defaultsWarmUpForFiveEpochs() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 14, seed: 43, stepsPerEpoch: 2)
        let weights = try run("stch", on: trace, stepsPerEpoch: 2).weights
        let nadir = (0..<3).map { t in (trace.steps[8].loss[t] + trace.steps[9].loss[t]) / 2 }
        for (k, answer) in weights.enumerated() {
            let loss = trace.steps[k].loss
            let expected = k < 10 ? loss.map { 1 / $0 } : Self.expectedWeights(loss, nadir: nadir, preference: [1, 1, 1], mu: 1)
            for t in 0..<3 { #expect(Self.relative(answer.shared[t], expected[t]) < 1e-9, "step \(k + 1)") }
        }
    }

    /// Hand-made: nadir (1, 1) from epoch 1 (W = 0), then L = (0.5, 0.25), μ = 1: f = log L,
    /// p ∝ (0.5, 0.25) = (2/3, 1/3), w = 2 p / L = (8/3, 8/3).
    @Test func handMadeCase() throws {
        let policy = try LuaPolicy(file: shippedPolicy("stch"), options: ["warmup_epochs": .number(0)])
        try policy.start(context(tasks: ["a", "b"]))
        var first = signals(step: 1, loss: [1, 1])
        first.epoch = 1
        #expect(try policy.weights(for: first).shared == [1, 1])
        var second = signals(step: 2, loss: [0.5, 0.25])
        second.epoch = 2
        #expect(Linear.maxDifference(try policy.weights(for: second).shared, [8.0 / 3, 8.0 / 3]) < 1e-12)
    }

    /// As μ → 0 the weight goes to the task whose loss has fallen least relative to its nadir.
    @Test func smallMuFocusesOnTheLeastImprovedTask() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 12, seed: 47, stepsPerEpoch: 4)
        let weights = try run("stch", options: ["mu": .number(1e-3), "warmup_epochs": .number(1)], on: trace, stepsPerEpoch: 4).weights
        let nadir = (0..<4).map { t in trace.steps[4..<8].map { $0.loss[t] }.reduce(0, +) / 4 }
        for k in 8..<12 {
            let loss = trace.steps[k].loss
            let ratio = (0..<4).map { loss[$0] / nadir[$0] }
            let worst = ratio.indices.max { ratio[$0] < ratio[$1] }!
            let share = (0..<4).map { weights[k].shared[$0] * loss[$0] / 4 }   // = p_t
            #expect(share[worst] > 0.99, "step \(k + 1): p = \(share)")
        }
    }

    @Test(arguments: [
        ("mu", SettingValue.number(0)), ("warmup_epochs", .number(1.5)), ("warmup_epochs", .number(-1)),
        ("preference", .list([.number(1), .number(1)])), ("preference", .list([.number(1), .number(-1), .number(1)])),
    ])
    func badOptionIsAnInitError(name: String, value: SettingValue) throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 1, seed: 1)
        let error = try #require(throws: LuaPolicyError.self) { try run("stch", options: [name: value], on: trace) }
        #expect(error.description.contains("stch: \(name)"))
    }
}
