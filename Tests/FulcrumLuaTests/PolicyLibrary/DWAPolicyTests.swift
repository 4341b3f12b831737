import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/dwa.lua against Liu et al. 2019 Eq. 7, computed here independently of the Lua file.
@Suite("dwa.lua")
struct DWAPolicyTests {
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

    /// Liu et al. 2019 Eq. 7 with windows of `window` steps: L̄_t(k) is the mean loss over window k;
    /// weights are 1 until two windows are complete, then T·softmax(L̄_t(k−1)/L̄_t(k−2) / temperature).
    @Test(arguments: 2...5)
    func dwaFollowsEquationSevenOverWindows(tasks: Int) throws {
        let window = 3, temperature = 1.5, steps = 20
        let trace = PolicyTrace.random(tasks: tasks, steps: steps, seed: 40 + UInt64(tasks))
        let answers = try run("dwa", options: ["window": .number(Double(window)), "temperature": .number(temperature)],
                              on: trace).weights
        var means: [[Double]] = []   // completed windows
        for (index, answer) in answers.enumerated() {
            var expected = [Double](repeating: 1, count: tasks)
            if means.count >= 2 {
                let last = means[means.count - 1], before = means[means.count - 2]
                let e = (0..<tasks).map { exp(last[$0] / before[$0] / temperature) }
                expected = e.map { Double(tasks) * $0 / e.reduce(0, +) }
            }
            #expect(Linear.maxDifference(answer.shared, expected) < 1e-12, "step \(index + 1)")
            if (index + 1) % window == 0 {
                let losses = trace.steps[(index + 1 - window)...index].map(\.loss)
                means.append((0..<tasks).map { t in losses.map { $0[t] }.reduce(0, +) / Double(window) })
            }
        }
        #expect(means.count >= 3, "the trace covers several windows")
    }
}
