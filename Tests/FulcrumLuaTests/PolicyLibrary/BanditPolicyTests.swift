import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/bandit.lua: Exp3.S over tasks rewarded by the drawn task's prediction gain (Graves et al.,
/// ICML 2017), checked against an implementation written here that replays the arms the policy logged,
/// and in closed loop against a simulated trainer in which only the trained task progresses.
@Suite("bandit.lua")
struct BanditPolicyTests {
    @Test func declaresThePredictionGainSignal() throws {
        #expect(try LuaPolicy(file: shippedPolicy("bandit")).needs == [.predictionGain])
    }

    /// A trace with losses and prediction gains (from step 2) of every task.
    static func trace(tasks: Int, steps: Int, seed: UInt64) -> PolicyTrace {
        var trace = PolicyTrace.random(tasks: tasks, steps: steps, seed: seed)
        var generator = SeededGenerator(seed: seed + 100)
        for k in trace.steps.indices where k > 0 {
            trace.steps[k].predictionGain = trace.steps[k - 1].loss.map { $0 * (0.01 + 0.02 * generator.normal()) }
        }
        return trace
    }

    @Test func aSeedDeterminesTheRunAndEveryStepTrainsTheDrawnTaskAlone() throws {
        let trace = Self.trace(tasks: 3, steps: 60, seed: 9)
        let options: [String: SettingValue] = ["eta": .number(0.05)]
        let first = try run("bandit", options: options, on: trace, seed: 1)
        let again = try run("bandit", options: options, on: trace, seed: 1)
        let other = try run("bandit", options: options, on: trace, seed: 2)
        #expect(first.weights == again.weights && first.logs == again.logs)
        #expect(arms(first.logs) != arms(other.logs))
        for (answer, arm) in zip(first.weights, arms(first.logs)) {
            #expect(answer.shared == (1...3).map { $0 == arm ? 3 : 0 })
        }
    }

    @Test func updatesMatchExp3SWithGravesRescaling() throws {
        for tasks in 2...5 {
            for (progress, window, beta) in [("relative", 1000, 0.0), ("absolute", 7, 0.0), ("relative", 12, 0.3)] {
                let trace = Self.trace(tasks: tasks, steps: 40, seed: UInt64(20 + tasks))
                let (eta, epsilon) = (0.2, 0.1)
                let result = try run("bandit", options: ["eta": .number(eta), "epsilon": .number(epsilon), "beta": .number(beta),
                                                         "window": .number(Double(window)), "progress": .string(progress)],
                                     on: trace, seed: UInt64(tasks))
                let drawn = arms(result.logs)
                let expected = reference(trace, arms: drawn, eta: eta, epsilon: epsilon, beta: beta, window: window, progress: progress)
                let probabilities = result.logs.map { $0.first { $0.name == "probability" }!.value }
                #expect(Linear.maxDifference(probabilities, expected.probabilities) < 1e-12, "\(tasks) tasks, \(progress)")
                let logged = result.logs.compactMap { $0.first { $0.name == "reward" }?.value }
                #expect(Linear.maxDifference(logged, expected.rewards) < 1e-12)
                #expect(Set(expected.rewards.filter { abs($0) < 1 }).count > 1, "the trace exercises the linear part of the rescaling")
            }
        }
    }

    /// With η ≈ 0 the policy stays uniform, so the arms must be drawn uniformly.
    @Test func armsAreDrawnFromThePolicy() throws {
        let trace = Self.trace(tasks: 3, steps: 3000, seed: 4)
        let drawn = arms(try run("bandit", options: ["eta": .number(1e-12)], on: trace).logs)
        for arm in 1...3 {
            let frequency = Double(drawn.filter { $0 == arm }.count) / Double(drawn.count)
            #expect(abs(frequency - 1.0 / 3) < 0.04, "arm \(arm): \(frequency)")
        }
    }

    /// Closed loop: a simulated trainer in which a step on task t lowers the loss of that step's batch by
    /// rate[t] (with noise) for the trained task and, through the shared trunk, every task's by a common
    /// trend; each batch starts at the task's loss level, which stays put (a long stationary stretch of
    /// training). The prediction gain of the trained task is its own progress plus the trend; the
    /// bandit must learn to draw the task whose own progress is largest.
    @Test func theTaskThatProgressesFastestWhenTrainedIsDrawnMost() throws {
        let names = ["fast", "slow", "slower"]
        let rates = [0.02, 0.005, 0.002], trend = 0.004, level = [2.0, 0.5, 1.0]
        let policy = try LuaPolicy(file: shippedPolicy("bandit"), options: ["eta": .number(0.01)])
        try policy.start(context(tasks: names, seed: 3))
        var generator = SeededGenerator(seed: 8)
        var gain: [Double]? = nil, drawn: [Int] = []
        for step in 1...3000 {
            let loss = level.map { $0 * (1 + 0.05 * generator.normal()) }
            var signals = StepSignals(tasks: names, step: step, epoch: 1, progress: Double(step - 1) / 3000, learningRate: 0.01,
                                      loss: loss, initialLoss: level, weights: [1, 1, 1])
            signals.predictionGain = gain
            let trained = try #require(policy.weights(for: signals).shared.firstIndex(of: 3))
            drawn.append(trained)
            gain = (0..<3).map { t in loss[t] * (trend + (t == trained ? rates[t] * (1 + 0.5 * generator.normal()) : 0)) }
        }
        let late = drawn.suffix(1000)
        let share = (0..<3).map { t in Double(late.filter { $0 == t }.count) / 1000 }
        #expect(share[0] > 0.5 && share[0] > 2 * share[1] && share[0] > 2 * share[2], "\(share)")
        #expect(share.allSatisfy { $0 > 0 }, "exploration keeps drawing every task")
    }

    @Test func badOptionsAreInitErrors() throws {
        let cases: [([String: SettingValue], String)] = [
            (["epsilon": .number(0)], "epsilon must be in (0, 1]"),
            (["eta": .number(0)], "eta must be > 0"),
            (["beta": .number(-1)], "beta must be ≥ 0"),
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

/// Exp3.S with Graves et al.'s reward rescaling, replaying the given arms (1-based): at each step
/// reward the previous arm with its prediction gain (relative to its loss when it was drawn),
/// rescaled by the 20th/80th percentiles of the last `window` gains; r̃_i = (r[i = a] + β)/π_i;
/// w_i ← log((1 − α) e^{w_i + η r̃_i} + α/(T − 1) Σ_{j≠i} e^{w_j + η r̃_j}) with α = 1/(k + 1) at
/// the k-th update; π = (1 − ε) softmax(w) + ε/T. Returns π(arm) per step and the rewards.
private func reference(_ trace: PolicyTrace, arms: [Int], eta: Double, epsilon: Double, beta: Double, window: Int,
                       progress: String) -> (probabilities: [Double], rewards: [Double]) {
    let tasks = trace.taskCount
    var w = [Double](repeating: 0, count: tasks)
    var gains: [Double] = [], probabilities: [Double] = [], rewards: [Double] = []
    var drawn: (arm: Int, loss: Double, pi: [Double])?
    func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted(), position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
    for (step, signals) in trace.steps.enumerated() {
        if let previous = drawn, let gain = signals.predictionGain?[previous.arm] {
            let raw = progress == "relative" ? gain / previous.loss : gain
            gains.append(raw)
            let recent = Array(gains.suffix(window))
            let low = quantile(recent, 0.2), high = quantile(recent, 0.8)
            let reward = raw < low ? -1 : raw > high ? 1 : high > low ? 2 * (raw - low) / (high - low) - 1 : 0
            rewards.append(reward)
            let alpha = 1 / Double(rewards.count + 1)
            let moved = (0..<tasks).map { i in w[i] + eta * ((i == previous.arm ? reward : 0) + beta) / previous.pi[i] }
            let e = moved.map(exp), total = e.reduce(0, +)
            w = (0..<tasks).map { i in log((1 - alpha) * e[i] + alpha * (total - e[i]) / Double(tasks - 1)) }
        }
        let top = w.max()!
        let e = w.map { exp($0 - top) }
        let pi = e.map { (1 - epsilon) * $0 / e.reduce(0, +) + epsilon / Double(tasks) }
        let arm = arms[step] - 1
        probabilities.append(pi[arm])
        drawn = (arm, signals.loss[arm], pi)
    }
    return (probabilities, rewards)
}
