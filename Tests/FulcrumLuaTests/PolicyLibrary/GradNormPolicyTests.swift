import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/gradnorm.lua: GradNorm (Chen et al., ICML 2018), checked against an implementation written
/// here, and against the equilibrium its update seeks.
@Suite("gradnorm.lua")
struct GradNormPolicyTests {
    @Test func asksForGradientNormsOnTheLastSharedLayer() throws {
        let policy = try LuaPolicy(file: shippedPolicy("gradnorm"))
        #expect(policy.needs == [.gradientNorm])
        #expect(policy.gradientNormScope == .lastSharedLayer)
    }

    /// Hand-computed, α = 1: step 1 has L = L(0), so r = 1; n = (2, 1), w = (1, 1): G = (2, 1), Ḡ = 1.5,
    /// target (1.5, 1.5), sign (+, −), ∂/∂w = (2, −1).
    /// SGD, lr 0.1: w = (0.8, 1.1) → ×2/1.9.
    /// Adam, lr 0.1: the first step is lr · g / (|g| + ε) = ±0.1 (1 − ε/|g|): w = (0.9, 1.1), Σ = 2 already.
    @Test func firstStepReturnsOnesThenMovesTowardEqualGradientNorms() throws {
        let trace = handMadeTrace(losses: [[1, 1], [0.5, 1]], norms: [[2, 1], [2, 1]])
        let sgd = try run("gradnorm", options: ["lr": .number(0.1), "alpha": .number(1), "optimizer": .string("sgd")], on: trace)
        #expect(sgd.weights[0].shared == [1, 1])
        #expect(Linear.maxDifference(sgd.weights[1].shared, [1.6 / 1.9, 2.2 / 1.9]) < 1e-15)
        #expect(abs(sgd.logs[0].first { $0.name == "l_grad" }!.value - 1) < 1e-15)
        let adam = try run("gradnorm", options: ["lr": .number(0.1), "alpha": .number(1)], on: trace)
        #expect(adam.weights[0].shared == [1, 1])
        #expect(Linear.maxDifference(adam.weights[1].shared, [0.9, 1.1]) < 1e-8)
    }

    @Test func randomTracesMatchTheUpdateRule() throws {
        for tasks in 2...5 {
            for optimizer in ["adam", "sgd"] {
                for (alpha, lr) in [(1.5, 0.025), (0.12, 0.1), (3.0, 0.5)] {
                    let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(80 + tasks))
                    let result = try run("gradnorm", options: ["alpha": .number(alpha), "lr": .number(lr), "optimizer": .string(optimizer)],
                                         on: trace)
                    let expected = reference(trace, alpha: alpha, lr: lr, optimizer: optimizer)
                    for step in trace.steps.indices {
                        #expect(Linear.maxDifference(result.weights[step].shared, expected.weights[step]) < 1e-12)
                        #expect(abs(result.logs[step].first { $0.name == "l_grad" }!.value - expected.lossGrad[step]) < 1e-12)
                        #expect(abs(result.weights[step].shared.reduce(0, +) - Double(tasks)) < 1e-12)
                    }
                }
            }
        }
    }

    /// With steady signals — gradient norms n_t spread over two orders of magnitude (0.05 … 5, the spread
    /// of σ = 1 … 100 in the paper's toy) and steady loss ratios L_t/L_t(0) — L_grad is zero where
    /// w_t n_t = Ḡ r_t^α for every t: w_t ∝ r_t^α / n_t, scaled to Σ w = T. That point is exactly
    /// reachable on Σ w = T only when mean_t r_t^α = 1 (α = 0, and α = 1, as r is normalised to mean 1);
    /// for the toy's α = 0.12 mean_t r_t^α is 0.997 here, so the point is all but reachable. Adam at the
    /// paper's rate 0.025 keeps moving each weight by up to about lr, so the weights oscillate around the
    /// point: their mean over the last 1 000 of 5 000 steps must be within 3 % of it for every task (the
    /// smallest equilibrium weight is 0.03–0.04, about lr).
    @Test func adamAtThePapersRateSettlesAtTheEquilibriumWithRealisticNormScales() throws {
        let norms = [0.8, 0.05, 2.0, 0.13, 5.0, 0.32, 0.0794, 3.15, 0.5, 1.26]
        let ratios = [0.7, 0.95, 0.5, 0.85, 0.6, 1.0, 0.55, 0.75, 0.9, 0.65]
        for alpha in [0, 0.12, 1] {
            let weights = try settledWeights(norms: norms, ratios: ratios, alpha: alpha, optimizer: "adam")
            let target = equilibrium(norms: norms, ratios: ratios, alpha: alpha)
            let error = relativeErrors(weights.mean, target).max()!
            #expect(error < 0.03, "α = \(alpha): mean weights \(weights.mean), equilibrium \(target), largest relative error \(error)")
            #expect(weights.everySumIsT)
        }
    }

    /// The paper's T = 2 toy, σ = (1, 100): the σ = 100 task's gradient norm is ~100 times the other's and
    /// its weight must settle near 0.017. Adam at lr 0.025 does (its mean within 5 %); SGD at the same
    /// rate moves that weight by lr · n = 0.125 per step, seven times its equilibrium value, and never
    /// settles there (its mean is off by more than half).
    @Test func twoTasksOfScale1And100AdamSettlesWhereSGDCannot() throws {
        let norms = [0.05, 5.0], ratios = [0.9, 0.3]
        let target = equilibrium(norms: norms, ratios: ratios, alpha: 0.12)
        let adam = try settledWeights(norms: norms, ratios: ratios, alpha: 0.12, optimizer: "adam")
        #expect(relativeErrors(adam.mean, target).max()! < 0.05, "Adam: \(adam.mean) vs \(target)")
        let sgd = try settledWeights(norms: norms, ratios: ratios, alpha: 0.12, optimizer: "sgd")
        #expect(relativeErrors(sgd.mean, target).max()! > 0.5, "SGD: \(sgd.mean) vs \(target)")
        // At T = 10 SGD's weights also end far from the point (the mean of some task off by > 25 %).
        let norms10 = [0.8, 0.05, 2.0, 0.13, 5.0, 0.32, 0.0794, 3.15, 0.5, 1.26]
        let ratios10 = [0.7, 0.95, 0.5, 0.85, 0.6, 1.0, 0.55, 0.75, 0.9, 0.65]
        let sgd10 = try settledWeights(norms: norms10, ratios: ratios10, alpha: 0.12, optimizer: "sgd")
        #expect(relativeErrors(sgd10.mean, equilibrium(norms: norms10, ratios: ratios10, alpha: 0.12)).max()! > 0.25)
    }

    /// Equal training rates (r = 1) and steady gradient norms: the weighted norms w_t n_t equalise,
    /// up to the oscillation of a fixed step (SGD: G_t moves by lr · n_t² per step).
    @Test func equalRatesEqualiseTheWeightedGradientNorms() throws {
        let norms = [4.0, 1.0, 0.5]
        let trace = handMadeTrace(losses: [[Double]](repeating: [1, 1, 1], count: 3000), norms: [[Double]](repeating: norms, count: 3000))
        for optimizer in ["sgd", "adam"] {
            let result = try run("gradnorm", options: ["lr": .number(0.001), "optimizer": .string(optimizer)], on: trace)
            let g = zip(result.weights.last!.shared, norms).map { $0 * $1 }
            let mean = g.reduce(0, +) / 3
            #expect(g.allSatisfy { abs($0 - mean) / mean < 0.05 }, "\(optimizer): \(g)")
        }
    }

    /// A step larger than a weight stops at the guard and never goes negative.
    @Test func weightsStayPositiveUnderALargeStep() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 20, seed: 5)
        for optimizer in ["sgd", "adam"] {
            let result = try run("gradnorm", options: ["lr": .number(50), "optimizer": .string(optimizer)], on: trace)
            #expect(result.weights.allSatisfy { $0.shared.allSatisfy { $0 > 0 && $0.isFinite } })
        }
    }

    @Test func badOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["alpha": .number(-0.5)], "alpha must be ≥ 0"),
            (["lr": .number(-1)], "lr must be ≥ 0"),
            (["optimizer": .string("rmsprop")], "optimizer must be \"adam\" or \"sgd\""),
        ]
        for (options, message) in cases {
            let policy = try LuaPolicy(file: shippedPolicy("gradnorm"), options: options)
            let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(options)")
        }
    }
}

/// GradNorm from the paper: G_t = w_t n_t, Ḡ = mean G, r_t = L̃_t / mean L̃ with L̃ = L / L(0),
/// L_grad = Σ |G_t − Ḡ r_t^α| (target constant), g_t = sign(G_t − Ḡ r_t^α) n_t; w takes one step of SGD
/// (w − lr g) or Adam (β = (0.9, 0.999), ε = 1e-8, bias-corrected), each weight at least 1e-6, then is
/// renormalised to Σ w = T. The answer at each step is w before its update.
private func reference(_ trace: PolicyTrace, alpha: Double, lr: Double, optimizer: String) -> (weights: [[Double]], lossGrad: [Double]) {
    let tasks = Double(trace.taskCount)
    var w = [Double](repeating: 1, count: trace.taskCount)
    var m = [Double](repeating: 0, count: trace.taskCount), v = m
    var weights: [[Double]] = [], lossGrad: [Double] = []
    for (k, signals) in trace.steps.enumerated() {
        weights.append(w)
        let norms = signals.gradientNorm!
        let g = zip(w, norms).map { $0 * $1 }
        let meanG = g.reduce(0, +) / tasks
        let ratios = zip(signals.loss, signals.initialLoss).map { $0 / $1 }
        let meanRatio = ratios.reduce(0, +) / tasks
        let targets = ratios.map { meanG * pow($0 / meanRatio, alpha) }
        lossGrad.append(zip(g, targets).map { abs($0 - $1) }.reduce(0, +))
        let gradient = w.indices.map { t in (g[t] > targets[t] ? 1.0 : (g[t] < targets[t] ? -1.0 : 0.0)) * norms[t] }
        let stepped = w.indices.map { t -> Double in
            guard optimizer == "adam" else { return max(w[t] - lr * gradient[t], 1e-6) }
            m[t] = 0.9 * m[t] + 0.1 * gradient[t]
            v[t] = 0.999 * v[t] + 0.001 * gradient[t] * gradient[t]
            let mHat = m[t] / (1 - pow(0.9, Double(k + 1))), vHat = v[t] / (1 - pow(0.999, Double(k + 1)))
            return max(w[t] - lr * mHat / (vHat.squareRoot() + 1e-8), 1e-6)
        }
        let total = stepped.reduce(0, +)
        w = stepped.map { tasks * $0 / total }
    }
    return (weights, lossGrad)
}

/// Where L_grad = Σ_t |w_t n_t − Ḡ r_t^α| is zero (up to the scale): w_t ∝ r_t^α / n_t with
/// r_t = ratio_t / mean(ratio), scaled to Σ w = T.
private func equilibrium(norms: [Double], ratios: [Double], alpha: Double) -> [Double] {
    let meanRatio = ratios.reduce(0, +) / Double(ratios.count)
    let raw = zip(norms, ratios).map { pow($1 / meanRatio, alpha) / $0 }
    let total = raw.reduce(0, +)
    return raw.map { Double(norms.count) * $0 / total }
}

private func relativeErrors(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { abs($0 - $1) / $1 } }

/// The policy's answers over 5 000 steps of steady signals (the task's loss at `ratios` × its initial
/// loss, whose scales differ by 10⁴ as σ² does in the toy), averaged over the last 1 000 steps, the
/// paper's rate 0.025; and whether every answer summed to T.
private func settledWeights(norms: [Double], ratios: [Double], alpha: Double, optimizer: String) throws
    -> (mean: [Double], everySumIsT: Bool) {
    let tasks = norms.count, steps = 5000, window = 1000
    let initial = (0..<tasks).map { pow(10, 4 * Double($0) / Double(max(tasks - 1, 1))) }
    let names = (1...tasks).map { "task\($0)" }
    let trace = PolicyTrace(steps: (1...steps).map { step in
        var signals = StepSignals(tasks: names, step: step, epoch: 1, progress: Double(step - 1) / Double(steps), learningRate: 0.001,
                                  loss: zip(initial, ratios).map { $0 * $1 }, initialLoss: initial, weights: names.map { _ in 1 })
        signals.gradientNorm = norms
        return signals
    }, gradients: [], representationGradients: [])
    let result = try run("gradnorm", options: ["alpha": .number(alpha), "lr": .number(0.025), "optimizer": .string(optimizer)], on: trace)
    var mean = [Double](repeating: 0, count: tasks)
    for answer in result.weights.suffix(window) { for t in 0..<tasks { mean[t] += answer.shared[t] / Double(window) } }
    let sums = result.weights.map { $0.shared.reduce(0, +) }
    return (mean, sums.allSatisfy { abs($0 - Double(tasks)) < 1e-9 })
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
