import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/dtp.lua against DTP's Eq. 4 computed here: the paper's method, Table 1's "Easy" form, and
/// the variants (per-task γ, percentile smoothing, renormalisation, warm-up); the defaults stay the paper's.
@Suite("dtp.lua")
struct DTPPolicyTests {
    /// DTP, Guo et al. 2018 Eq. 4: κ̄ ← α κ + (1 − α) κ̄ (κ̄ starts at the first KPI); w = −(1 − κ̄)^γ log κ̄.
    @Test func dtpFollowsTheFocalWeightOfTheSmoothedKPI() throws {
        let gamma = 2.0, alpha = 0.25
        let policy = try LuaPolicy(file: shippedPolicy("dtp"), options: ["gamma": .number(gamma), "alpha": .number(alpha)])
        #expect(policy.needs == [.kpi])
        try policy.start(context(tasks: ["easy", "hard"]))

        let kpi1 = [0.9, 0.2], kpi2 = [0.5, 0.4]
        let step1 = try policy.weights(for: signals(step: 1, loss: [1, 1], kpi: kpi1))
        let step2 = try policy.weights(for: signals(step: 2, loss: [1, 1], kpi: kpi2))

        // Step 1: κ̄ = κ.  easy: −(0.1)² ln 0.9 = 0.0010536;  hard: −(0.8)² ln 0.2 = 1.0300.
        let expected1 = [-pow(0.1, 2) * log(0.9), -pow(0.8, 2) * log(0.2)]
        // Step 2: κ̄ = 0.25·κ₂ + 0.75·κ̄₁ = (0.8, 0.25).
        let kbar2 = [0.25 * 0.5 + 0.75 * 0.9, 0.25 * 0.4 + 0.75 * 0.2]
        let expected2 = kbar2.map { -pow(1 - $0, gamma) * log($0) }
        for t in 0..<2 {
            #expect(abs(step1.shared[t] - expected1[t]) < 1e-12)
            #expect(abs(step2.shared[t] - expected2[t]) < 1e-12)
        }
        #expect(step1.shared[1] > step1.shared[0], "the harder task gets the larger weight")
    }

    @Test func dtpKeepsWeightsFiniteAtPerfectAndZeroKPI() throws {
        let policy = try LuaPolicy(file: shippedPolicy("dtp"))
        try policy.start(context(tasks: ["done", "hopeless"]))
        let w = try policy.weights(for: signals(step: 1, loss: [1, 1], kpi: [1, 0]))
        #expect(w.shared.allSatisfy { $0.isFinite })
        #expect(abs(w.shared[1] - (-pow(1 - 1e-6, 1) * log(1e-6))) < 1e-9)
    }

    /// Table 1's "Dynamic Priority - Easy": the focal weight of 1 − κ̄, w = −κ̄^γ log(1 − κ̄).
    @Test func dtpEasyPrioritizesTheTaskWithTheHighestKPI() throws {
        let gamma = 1.5
        let policy = try LuaPolicy(file: shippedPolicy("dtp"), options: ["gamma": .number(gamma), "prioritize": .string("easy")])
        try policy.start(context(tasks: ["easy", "hard"]))
        let w = try policy.weights(for: signals(step: 1, loss: [1, 1], kpi: [0.9, 0.2]))
        let expected = [0.9, 0.2].map { -pow($0, gamma) * log(1 - $0) }
        for t in 0..<2 { #expect(abs(w.shared[t] - expected[t]) < 1e-12) }
        #expect(w.shared[0] > w.shared[1], "the easier task gets the larger weight")

        let wrong = try LuaPolicy(file: shippedPolicy("dtp"), options: ["prioritize": .string("medium")])
        let error = try #require(throws: LuaPolicyError.self) { try wrong.start(context(tasks: ["a"])) }
        #expect(error.message.hasSuffix("dtp: prioritize must be \"hard\" or \"easy\""))
    }

    @Test func defaultsAreThePapersEMAOnRandomTraces() throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 25, seed: UInt64(tasks))
            let result = try run("dtp", on: trace)
            let expected = reference(trace, gammas: [Double](repeating: 1, count: tasks), smoothing: .ema(alpha: 0.1))
            for step in trace.steps.indices {
                #expect(Linear.maxDifference(result.weights[step].shared, expected[step]) < 1e-12)
            }
        }
    }

    @Test func gammasGiveEachTaskItsFocusingParameter() throws {
        for tasks in 2...5 {
            let gammas = (0..<tasks).map { 0.5 + Double($0) * 0.75 }
            let trace = PolicyTrace.random(tasks: tasks, steps: 20, seed: UInt64(100 + tasks))
            let result = try run("dtp", options: ["gammas": .list(gammas.map(SettingValue.number)), "gamma": .number(9),
                                                  "alpha": .number(0.3)], on: trace)
            let expected = reference(trace, gammas: gammas, smoothing: .ema(alpha: 0.3))
            for step in trace.steps.indices {
                #expect(Linear.maxDifference(result.weights[step].shared, expected[step]) < 1e-12)
            }
        }
    }

    /// Hand-made: γ = (0, 2) on κ = (0.5, 0.5) gives −log 0.5 and −0.25 log 0.5.
    @Test func gammaZeroIsPlainLogLoss() throws {
        let trace = handMadeTrace(kpis: [[0.5, 0.5]])
        let result = try run("dtp", options: ["gammas": .list([.number(0), .number(2)])], on: trace)
        #expect(Linear.maxDifference(result.weights[0].shared, [log(2), 0.25 * log(2)]) < 1e-15)
    }

    @Test func percentileSmoothingUsesTheRecentKPIs() throws {
        for tasks in 2...5 {
            for (window, percentile) in [(5, 0.5), (3, 0.25), (19, 0.9)] {
                let trace = PolicyTrace.random(tasks: tasks, steps: 30, seed: UInt64(200 + tasks))
                let result = try run("dtp", options: ["kpi_smoothing": .string("percentile"), "window": .number(Double(window)),
                                                      "percentile": .number(percentile), "gamma": .number(2)], on: trace)
                let expected = reference(trace, gammas: [Double](repeating: 2, count: tasks),
                                         smoothing: .percentile(window: window, q: percentile))
                for step in trace.steps.indices {
                    #expect(Linear.maxDifference(result.weights[step].shared, expected[step]) < 1e-12)
                }
            }
        }
    }

    /// One outlying batch moves the EMA but not the running median of 3.
    @Test func runningMedianIgnoresASingleOutlier() throws {
        let trace = handMadeTrace(kpis: [[0.8], [0.8], [0.05], [0.8]])
        let median = try run("dtp", options: ["kpi_smoothing": .string("percentile"), "window": .number(3)], on: trace)
        let ema = try run("dtp", on: trace)
        let steady = -(1 - 0.8) * log(0.8)
        #expect(median.weights.allSatisfy { abs($0.shared[0] - steady) < 1e-15 })
        let kbar = 0.1 * 0.05 + 0.9 * 0.8
        #expect(abs(ema.weights[2].shared[0] - (-(1 - kbar) * log(kbar))) < 1e-15)
        #expect(ema.weights[2].shared[0] > 1.5 * steady)
    }

    @Test func renormalisedWeightsSumToTheTaskCount() throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 15, seed: UInt64(300 + tasks))
            let result = try run("dtp", options: ["renormalise": .boolean(true)], on: trace)
            let raw = reference(trace, gammas: [Double](repeating: 1, count: tasks), smoothing: .ema(alpha: 0.1))
            for step in trace.steps.indices {
                let total = raw[step].reduce(0, +)
                #expect(Linear.maxDifference(result.weights[step].shared, raw[step].map { Double(tasks) * $0 / total }) < 1e-12)
                #expect(abs(result.weights[step].shared.reduce(0, +) - Double(tasks)) < 1e-12)
            }
        }
    }

    /// warmup = 4: steps 1–4 answer 1 for every task while κ̄ follows the KPIs, so from step 5 on the
    /// weights are Eq. 4's on the same κ̄ as without a warm-up — for DTP-hard and DTP-easy alike. A task
    /// scored 0 at first (κ = 0, 0, 0.2, 0.4, …) is not starved by DTP-easy during the warm-up.
    @Test func warmupTrainsOnUniformWeightsWhileTheKPIIsTracked() throws {
        let trace = handMadeTrace(kpis: [[0.9, 0], [0.9, 0], [0.9, 0.2], [0.9, 0.4], [0.9, 0.5], [0.9, 0.6]])
        for prioritize in ["hard", "easy"] {
            let plain = try run("dtp", options: ["prioritize": .string(prioritize)], on: trace)
            let warm = try run("dtp", options: ["prioritize": .string(prioritize), "warmup": .number(4)], on: trace)
            for step in 0..<4 { #expect(warm.weights[step].shared == [1, 1], "\(prioritize) step \(step + 1)") }
            for step in 4..<6 { #expect(Linear.maxDifference(warm.weights[step].shared, plain.weights[step].shared) < 1e-15) }
        }
        // By hand, DTP-easy at step 5: κ̄₂ = EMA of 0, 0, 0.2, 0.4, 0.5 = 0.1·0.5 + 0.9·(0.1·0.4 + 0.9·(0.1·0.2)).
        let kbar = 0.1 * 0.5 + 0.9 * (0.1 * 0.4 + 0.9 * (0.1 * 0.2))
        let easy = try run("dtp", options: ["prioritize": .string("easy"), "warmup": .number(4)], on: trace)
        #expect(abs(easy.weights[4].shared[1] - (-kbar * log(1 - kbar))) < 1e-15)
        #expect(easy.weights[4].shared[1] > 0)
    }

    @Test func badVariantOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["gammas": .list([.number(1)])], "gammas has 1 entries, expected 2"),
            (["gammas": .list([.number(1), .number(-1)])], "gammas[2] must be a number ≥ 0"),
            (["kpi_smoothing": .string("mean")], "kpi_smoothing must be"),
            (["window": .number(0)], "window must be a whole number ≥ 1"),
            (["window": .number(2.5)], "window must be a whole number ≥ 1"),
            (["percentile": .number(1.5)], "percentile must be in [0, 1]"),
            (["warmup": .number(-1)], "warmup must be a whole number ≥ 0"),
            (["warmup": .number(2.5)], "warmup must be a whole number ≥ 0"),
        ]
        for (options, message) in cases {
            let policy = try LuaPolicy(file: shippedPolicy("dtp"), options: options)
            let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(options)")
        }
    }

    @Test func aListCannotReplaceTheNumberGamma() throws {
        let error = try #require(throws: LuaPolicyError.self) {
            try LuaPolicy(file: shippedPolicy("dtp"), options: ["gamma": .list([.number(1), .number(2)])])
        }
        #expect(error.phase == .options)
    }
}

private enum Smoothing {
    case ema(alpha: Double)
    case percentile(window: Int, q: Double)
}

/// DTP's Eq. 4 on a trace: κ̄ by EMA (starting at the first KPI) or by the type-7 quantile of the last
/// `window` KPIs; κ̄ clamped to [1e-6, 1 − 1e-6]; w_t = −(1 − κ̄_t)^γ_t log κ̄_t.
private func reference(_ trace: PolicyTrace, gammas: [Double], smoothing: Smoothing) -> [[Double]] {
    var kbar: [Double] = []
    var history: [[Double]] = gammas.map { _ in [] }
    return trace.steps.map { signals in
        let kpi = signals.kpi!
        switch smoothing {
        case let .ema(alpha):
            kbar = kbar.isEmpty ? kpi : zip(kpi, kbar).map { alpha * $0 + (1 - alpha) * $1 }
        case let .percentile(window, q):
            kbar = kpi.indices.map { t in
                history[t].append(kpi[t])
                let recent = history[t].suffix(window).sorted()
                let position = q * Double(recent.count - 1)
                let below = Int(position.rounded(.down)), above = min(below + 1, recent.count - 1)
                return recent[below] + (position - Double(below)) * (recent[above] - recent[below])
            }
        }
        return kbar.indices.map { t in
            let k = min(max(kbar[t], 1e-6), 1 - 1e-6)
            return -pow(1 - k, gammas[t]) * log(k)
        }
    }
}

private func handMadeTrace(kpis: [[Double]]) -> PolicyTrace {
    let names = kpis[0].indices.map { "task\($0 + 1)" }
    let ones = names.map { _ in 1.0 }
    let steps = kpis.enumerated().map { step, kpi in
        StepSignals(tasks: names, step: step + 1, epoch: 1, progress: 0, learningRate: 0.01, loss: ones,
                    initialLoss: ones, weights: ones, kpi: kpi)
    }
    return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
}
