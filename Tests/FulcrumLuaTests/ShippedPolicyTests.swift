import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// The shipped policies against their papers' formulas, computed here independently of the Lua files.
@Suite("Shipped policies")
struct ShippedPolicyTests {
    @Test func equalGivesOneToEveryTask() throws {
        let policy = try LuaPolicy(file: shippedPolicy("equal"))
        try policy.start(context(tasks: ["a", "b", "c"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [3, 0.1, 7])) == TaskWeights([1, 1, 1]))
    }

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

    /// DWA, Liu et al. 2019 Eq. 7, with windows of one step: weights 1 for two windows, then
    /// w_t = T exp(r_t / temp) / Σ_u exp(r_u / temp), r_t = L_t(k−1) / L_t(k−2).
    @Test func dwaFollowsTheRatioOfTheLastTwoWindowLosses() throws {
        let temperature = 2.0
        let policy = try LuaPolicy(file: shippedPolicy("dwa"), options: ["temperature": .number(temperature), "window": .number(1)])
        try policy.start(context(tasks: ["a", "b"]))
        let losses: [[Double]] = [[1.0, 2.0], [0.5, 1.5], [0.4, 1.5]]
        let w1 = try policy.weights(for: signals(step: 1, loss: losses[0]))
        let w2 = try policy.weights(for: signals(step: 2, loss: losses[1]))
        let w3 = try policy.weights(for: signals(step: 3, loss: losses[2]))
        #expect(w1.shared == [1, 1] && w2.shared == [1, 1])
        let r = [0.5 / 1.0, 1.5 / 2.0]
        let e = r.map { exp($0 / temperature) }
        let expected = e.map { 2 * $0 / e.reduce(0, +) }
        for t in 0..<2 { #expect(abs(w3.shared[t] - expected[t]) < 1e-12) }
        #expect(w3.shared[1] > w3.shared[0], "the task whose loss falls slower gets more weight")
    }

    /// With the default window (one epoch) the loss of each window is its mean over the epoch.
    @Test func dwaAveragesLossesOverEachEpoch() throws {
        let policy = try LuaPolicy(file: shippedPolicy("dwa"))
        try policy.start(context(tasks: ["a", "b"], stepsPerEpoch: 2))
        let losses: [[Double]] = [[4, 2], [2, 2], [1, 2], [1, 1], [9, 9]]
        var answers: [[Double]] = []
        for (i, loss) in losses.enumerated() { answers.append(try policy.weights(for: signals(step: i + 1, loss: loss)).shared) }
        #expect(answers[0...3].allSatisfy { $0 == [1, 1] })
        let r = [(1.0 + 1) / 2 / ((4.0 + 2) / 2), (2.0 + 1) / 2 / ((2.0 + 2) / 2)]
        let e = r.map { exp($0 / 2) }
        for t in 0..<2 { #expect(abs(answers[4][t] - 2 * e[t] / e.reduce(0, +)) < 1e-12) }
    }
}
