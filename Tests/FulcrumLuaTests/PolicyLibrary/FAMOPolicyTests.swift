import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// FAMO (Liu et al., NeurIPS 2023) written here from the paper and the reference code, independently of
/// policies/famo.lua: z = softmax(ξ), w_t = c z_t / L_t with c = (Σ z_u / L_u)⁻¹; between steps
/// δ = log L(prev) − log L(now) and ξ descends on zᵀδ + ½γ‖ξ‖² — with the full softmax Jacobian here —
/// by Adam (torch.optim.Adam, weight_decay = γ) or by a plain step.
struct FAMOReference {
    let lr: Double, gamma: Double, adam: Bool
    var xi: [Double], m: [Double], v: [Double]
    var updates = 0
    var previous: [Double]?

    init(tasks: Int, lr: Double = 0.025, gamma: Double = 0.01, adam: Bool = true) {
        self.lr = lr
        self.gamma = gamma
        self.adam = adam
        xi = [Double](repeating: 0, count: tasks)
        m = xi
        v = xi
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let e = x.map { exp($0 - x.max()!) }
        return e.map { $0 / e.reduce(0, +) }
    }

    mutating func weights(_ loss: [Double]) -> [Double] {
        let count = loss.count
        if let previous {
            let delta = (0..<count).map { log(previous[$0] + 1e-8) - log(loss[$0] + 1e-8) }
            let z = Self.softmax(xi)
            // ∂z_t/∂ξ_k = z_t (1[t = k] − z_k); gradient of zᵀδ is Jᵀδ.
            var gradient = [Double](repeating: 0, count: count)
            for k in 0..<count {
                for t in 0..<count {
                    let jacobian = z[t] * ((t == k ? 1.0 : 0.0) - z[k])
                    gradient[k] += delta[t] * jacobian
                }
                gradient[k] += gamma * xi[k]
            }
            if adam {
                updates += 1
                for k in 0..<count {
                    m[k] = 0.9 * m[k] + 0.1 * gradient[k]
                    v[k] = 0.999 * v[k] + 0.001 * gradient[k] * gradient[k]
                    let mHat = m[k] / (1 - pow(0.9, Double(updates))), vHat = v[k] / (1 - pow(0.999, Double(updates)))
                    xi[k] -= lr * mHat / (vHat.squareRoot() + 1e-8)
                }
            } else {
                for k in 0..<count { xi[k] -= lr * gradient[k] }
            }
        }
        previous = loss
        let z = Self.softmax(xi)
        let shifted = loss.map { $0 + 1e-8 }
        var inverseC = 0.0
        for t in 0..<count { inverseC += z[t] / shifted[t] }
        return (0..<count).map { z[$0] / shifted[$0] / inverseC }
    }
}

@Suite("policies/famo.lua")
struct FAMOPolicyTests {
    static func logits(_ logs: [PolicyLog], tasks: Int) -> [Double] {
        (1...tasks).map { t in logs.first { $0.name == "logit\(t)" }?.value ?? .nan }
    }

    @Test(arguments: [(2, "adam"), (3, "adam"), (4, "sgd"), (5, "adam"), (5, "sgd")])
    func weightsAndLogitsFollowTheReference(tasks: Int, optimizer: String) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(500 + tasks))
        let lr = optimizer == "sgd" ? 0.5 : 0.025   // a larger plain step, so the logits move visibly
        let (weights, logs) = try run("famo", options: ["optimizer": .string(optimizer), "lr": .number(lr)], on: trace)
        var reference = FAMOReference(tasks: tasks, lr: lr, adam: optimizer == "adam")
        for (k, answer) in weights.enumerated() {
            let expected = reference.weights(trace.steps[k].loss)
            #expect(Linear.maxDifference(answer.shared, expected) < 1e-9, "step \(k + 1)")
            #expect(Linear.maxDifference(Self.logits(logs[k], tasks: tasks), reference.xi) < 1e-9, "step \(k + 1)")
            #expect(abs(answer.shared.reduce(0, +) - 1) < 1e-12)
        }
        #expect(reference.xi.contains { abs($0) > 1e-3 }, "the logits moved")
    }

    /// Step 1: ξ = 0, L = (1, 2, 4): w ∝ 1/L = (4, 2, 1)/7. Step 2 (plain step, β = 0.1, γ = 0): L = (½, 2, 4),
    /// δ = (log 2, 0, 0), z = ⅓: ∇ = z(δ − zᵀδ) = (2, −1, −1) log 2 / 9, ξ = −0.1 ∇; the task whose loss
    /// fell loses weight.
    @Test func handMadeSteps() throws {
        let policy = try LuaPolicy(file: shippedPolicy("famo"),
                                   options: ["optimizer": .string("sgd"), "lr": .number(0.1), "gamma": .number(0)])
        try policy.start(context(tasks: ["a", "b", "c"]))
        let w1 = try policy.weights(for: signals(step: 1, loss: [1, 2, 4])).shared
        #expect(Linear.maxDifference(w1, [4.0 / 7, 2.0 / 7, 1.0 / 7]) < 1e-8)
        _ = try policy.takeOutput()
        let w2 = try policy.weights(for: signals(step: 2, loss: [0.5, 2, 4])).shared
        let xi = [-0.2, 0.1, 0.1].map { $0 * log(2.0) / 9 }
        #expect(Linear.maxDifference(Self.logits(try policy.takeOutput().logs, tasks: 3), xi) < 1e-9, "δ uses L + 1e-8")
        let z = xi.map { exp($0) }
        let raw = [z[0] / 0.5, z[1] / 2, z[2] / 4]
        #expect(Linear.maxDifference(w2, raw.map { $0 / raw.reduce(0, +) }) < 1e-8)
        #expect(xi[0] < 0 && xi[1] > 0)
    }

    /// A task whose loss stalls while the other's falls gains logit mass (default Adam).
    @Test func stalledTaskGainsWeight() throws {
        let policy = try LuaPolicy(file: shippedPolicy("famo"))
        try policy.start(context(tasks: ["falling", "stalled"]))
        var xi: [Double] = []
        for step in 1...50 {
            _ = try policy.weights(for: signals(step: step, loss: [exp(-0.05 * Double(step)), 1]))
            xi = Self.logits(try policy.takeOutput().logs, tasks: 2)
        }
        #expect(xi[1] > xi[0] + 0.5)
    }

    @Test(arguments: [
        ("lr", SettingValue.number(0)), ("gamma", .number(-0.1)), ("optimizer", .string("rmsprop")),
    ])
    func badOptionIsAnInitError(name: String, value: SettingValue) throws {
        let trace = PolicyTrace.random(tasks: 2, steps: 1, seed: 1)
        let error = try #require(throws: LuaPolicyError.self) { try run("famo", options: [name: value], on: trace) }
        #expect(error.description.contains("famo: \(name)"))
    }
}
