import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// Geometric Loss Strategy (Chennupati et al., CVPRW 2019): L_GLS = (Π_t L_t)^(1/T); the weights are
/// its gradient, w_t = L_GLS / (T L_t).
@Suite("policies/gls.lua")
struct GLSPolicyTests {
    static func geometricMean(_ loss: [Double]) -> Double { pow(loss.reduce(1, *), 1 / Double(loss.count)) }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    /// L = (2, 8, ½): L_GLS = 8^(1/3) = 2, w = 2 / (3 L) = (1/3, 1/12, 4/3).
    @Test func handMadeCase() throws {
        let policy = try LuaPolicy(file: shippedPolicy("gls"))
        try policy.start(context(tasks: ["a", "b", "c"]))
        let w = try policy.weights(for: signals(step: 1, loss: [2, 8, 0.5])).shared
        #expect(Linear.maxDifference(w, [1.0 / 3, 1.0 / 12, 4.0 / 3]) < 1e-14)
    }

    @Test(arguments: [2, 3, 4, 5])
    func weightsAreTheClosedFormAndRecoverTheGeometricLoss(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(300 + tasks))
        let weights = try run("gls", on: trace).weights
        for (k, answer) in weights.enumerated() {
            let loss = trace.steps[k].loss
            let gls = Self.geometricMean(loss)
            for t in 0..<tasks {
                #expect(Self.relative(answer.shared[t], gls / (Double(tasks) * loss[t])) < 1e-9)
            }
            #expect(Self.relative(Linear.dot(answer.shared, loss), gls) < 1e-9, "Σ w_t L_t = (Π L_t)^(1/T)")
            #expect(answer.heads == answer.shared)
        }
    }

    /// The weights are ∂L_GLS/∂L_t, checked by central differences.
    @Test func weightsAreTheGradientOfTheGeometricLoss() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 5, seed: 31)
        let weights = try run("gls", on: trace).weights
        for (k, answer) in weights.enumerated() {
            let loss = trace.steps[k].loss
            for t in 0..<4 {
                let h = 1e-6 * loss[t]
                var up = loss, down = loss
                up[t] += h
                down[t] -= h
                let derivative = (Self.geometricMean(up) - Self.geometricMean(down)) / (2 * h)
                #expect(Self.relative(answer.shared[t], derivative) < 1e-6)
            }
        }
    }

    @Test func zeroLossGivesFiniteWeights() throws {
        let policy = try LuaPolicy(file: shippedPolicy("gls"))
        try policy.start(context(tasks: ["a", "b"]))
        let w = try policy.weights(for: signals(step: 1, loss: [0, 1])).shared
        #expect(w.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(w[0] > w[1], "the solved task's weight is the largest")
    }
}
