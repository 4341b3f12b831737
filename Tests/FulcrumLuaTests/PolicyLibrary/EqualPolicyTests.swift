import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/equal.lua: one for every task at every step.
@Suite("equal.lua")
struct EqualPolicyTests {
    @Test func equalGivesOneToEveryTask() throws {
        let policy = try LuaPolicy(file: shippedPolicy("equal"))
        try policy.start(context(tasks: ["a", "b", "c"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [3, 0.1, 7])) == TaskWeights([1, 1, 1]))
    }

    @Test(arguments: 2...5)
    func equalIsOneForEveryTaskEveryStep(tasks: Int) throws {
        let trace = PolicyTrace.random(tasks: tasks, steps: 12, seed: UInt64(tasks))
        let answers = try run("equal", on: trace).weights
        #expect(answers.allSatisfy { $0.shared == [Double](repeating: 1, count: tasks) && $0.heads == $0.shared })
    }
}
