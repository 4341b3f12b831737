import Foundation
import FulcrumCore
import Testing

/// equal.lua and dwa.lua on random traces, T = 2…5, against their formulas computed here.
@Suite("equal.lua and dwa.lua on random traces")
struct DWAAndEqualTraceTests {
    @Test(arguments: 2...5)
    func equalIsOneForEveryTaskEveryStep(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 12, seed: UInt64(tasks))
        let answers = try run("equal", on: trace).weights
        #expect(answers.allSatisfy { $0.shared == [Double](repeating: 1, count: tasks) && $0.heads == $0.shared })
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
