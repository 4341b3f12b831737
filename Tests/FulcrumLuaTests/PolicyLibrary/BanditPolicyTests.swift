import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/bandit.lua: EXP3 over tasks rewarded by learning progress (Graves et al., ICML 2017),
/// checked against an implementation written here that replays the arms the policy logged.
@Suite("bandit.lua")
struct BanditPolicyTests {
    @Test func declaresTheKPISignal() throws {
        #expect(try LuaPolicy(file: shippedPolicy("bandit")).needs == [.kpi])
    }

    @Test func aSeedDeterminesTheRun() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 60, seed: 9)
        let options: [String: SettingValue] = ["eta": .number(0.05)]
        let first = try run("bandit", options: options, on: trace, seed: 1)
        let again = try run("bandit", options: options, on: trace, seed: 1)
        let other = try run("bandit", options: options, on: trace, seed: 2)
        #expect(first.weights == again.weights && first.logs == again.logs)
        #expect(arms(first.logs) != arms(other.logs))
    }

    /// Step 1: π uniform, weights 1. Step 2 rewards the arm drawn at step 1 — with one raw reward in
    /// the window, q²⁰ = q⁸⁰ and the rescaled reward is 0 — so the weights stay 1.
    @Test func theFirstTwoStepsAreUniform() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 2, seed: 3)
        let result = try run("bandit", on: trace)
        #expect(result.weights.allSatisfy { $0.shared == [1, 1, 1, 1] })
        #expect(result.logs[0].map(\.name) == ["arm"])
        #expect(result.logs[1].map(\.name) == ["reward", "arm"] && result.logs[1][0].value == 0)
    }

    @Test func updatesMatchExp3WithGravesRescaling() throws {
        for tasks in 2...5 {
            for (progress, window) in [("loss", 1000), ("loss", 7), ("kpi", 12)] {
                let trace = PolicyTrace.random(tasks: tasks, steps: 40, seed: UInt64(20 + tasks))
                let (eta, epsilon) = (0.2, 0.1)
                let result = try run("bandit", options: ["eta": .number(eta), "epsilon": .number(epsilon),
                                                         "window": .number(Double(window)), "progress": .string(progress)],
                                     on: trace, seed: UInt64(tasks))
                let drawn = arms(result.logs)
                #expect(drawn.allSatisfy { (1...tasks).contains($0) })
                let expected = reference(trace, arms: drawn, eta: eta, epsilon: epsilon, window: window, progress: progress)
                for step in trace.steps.indices {
                    #expect(Linear.maxDifference(result.weights[step].shared, expected.weights[step]) < 1e-12)
                }
                let logged = result.logs.compactMap { $0.first { $0.name == "reward" }?.value }
                #expect(Linear.maxDifference(logged, expected.rewards) < 1e-12)
                #expect(Set(expected.rewards.filter { abs($0) < 1 }).count > 1, "the trace exercises the linear part of the rescaling")
            }
        }
    }

    /// With η ≈ 0 the policy stays uniform, so the arms must be drawn uniformly.
    @Test func armsAreDrawnFromThePolicy() throws {
        let trace = PolicyTrace.random(tasks: 3, steps: 3000, seed: 4)
        let drawn = arms(try run("bandit", options: ["eta": .number(1e-12)], on: trace).logs)
        for arm in 1...3 {
            let frequency = Double(drawn.filter { $0 == arm }.count) / Double(drawn.count)
            #expect(abs(frequency - 1.0 / 3) < 0.04, "arm \(arm): \(frequency)")
        }
    }

    /// Task 1's loss falls 3% a step, the others' 0.5%: the bandit learns to weigh task 1 most.
    @Test func theTaskThatProgressesFastestGainsWeight() throws {
        let names = ["fast", "slow", "slower"]
        let rates = [0.03, 0.005, 0.004]
        var loss = [2.0, 2.0, 2.0]
        var steps: [StepSignals] = []
        for step in 1...500 {
            var signals = StepSignals(tasks: names, step: step, epoch: 1, progress: Double(step - 1) / 500, learningRate: 0.01,
                                      loss: loss, initialLoss: [2, 2, 2], weights: [1, 1, 1])
            signals.kpi = [0.5, 0.5, 0.5]
            steps.append(signals)
            loss = loss.indices.map { t in loss[t] * (1 - rates[t] * (1 + 0.1 * sin(Double(step * (t + 2))))) }
        }
        let result = try run("bandit", options: ["eta": .number(0.01)], on: PolicyTrace(steps: steps, gradients: [], representationGradients: []))
        let last = result.weights.last!.shared
        #expect(last[0] > 1.5 && last[1] < 1 && last[2] < 1, "\(last)")
        #expect(last.allSatisfy { $0 >= 0.05 - 1e-12 }, "exploration keeps every weight ≥ ε")
    }

    @Test func badOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["epsilon": .number(0)], "epsilon must be in (0, 1]"),
            (["eta": .number(0)], "eta must be > 0"),
            (["window": .number(0)], "window must be a whole number ≥ 1"),
            (["progress": .string("time")], "progress must be"),
        ]
        for (options, message) in cases {
            let policy = try LuaPolicy(file: shippedPolicy("bandit"), options: options)
            let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a", "b"])) }
            #expect(error.phase == .initialisation && error.message.contains(message), "\(options)")
        }
    }
}

private func arms(_ logs: [[PolicyLog]]) -> [Int] {
    logs.map { Int($0.first { $0.name == "arm" }!.value) }
}

/// EXP3 with Graves et al.'s reward rescaling, replaying the given arms (1-based): at each step reward
/// the previous arm with its progress since it was drawn, rescaled by the 20th/80th percentiles of the
/// last `window` raw rewards; h_a += η r̃ / π_a; π = (1 − ε) softmax(h) + ε/T; weights T π.
private func reference(_ trace: PolicyTrace, arms: [Int], eta: Double, epsilon: Double, window: Int, progress: String)
    -> (weights: [[Double]], rewards: [Double]) {
    let tasks = trace.taskCount
    var h = [Double](repeating: 0, count: tasks)
    var raws: [Double] = [], weights: [[Double]] = [], rewards: [Double] = []
    var drawn: (arm: Int, value: Double, probability: Double)?
    func measure(_ signals: StepSignals, _ t: Int) -> Double { progress == "kpi" ? signals.kpi![t] : signals.loss[t] }
    func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted(), position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
    for (step, signals) in trace.steps.enumerated() {
        if let previous = drawn {
            let now = measure(signals, previous.arm)
            let raw = progress == "kpi" ? now - previous.value : (previous.value - now) / previous.value
            raws.append(raw)
            let recent = Array(raws.suffix(window))
            let low = quantile(recent, 0.2), high = quantile(recent, 0.8)
            let reward = raw < low ? -1 : raw > high ? 1 : high > low ? 2 * (raw - low) / (high - low) - 1 : 0
            rewards.append(reward)
            h[previous.arm] += eta * reward / previous.probability
        }
        let top = h.max()!
        let e = h.map { exp($0 - top) }
        let pi = e.map { (1 - epsilon) * $0 / e.reduce(0, +) + epsilon / Double(tasks) }
        weights.append(pi.map { Double(tasks) * $0 })
        let arm = arms[step] - 1
        drawn = (arm, measure(signals, arm), pi[arm])
    }
    return (weights, rewards)
}
