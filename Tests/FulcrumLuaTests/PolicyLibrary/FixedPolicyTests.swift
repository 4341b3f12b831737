import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// policies/fixed.lua: the static baselines of the DTP paper's Table 1, given as options.
@Suite("fixed.lua")
struct FixedPolicyTests {
    /// The four tasks of the DTP paper, in the order a manifest might list them.
    let manifestOrder = ["pose", "detection", "segmentation", "classification"]

    private func answer(_ options: [String: SettingValue], tasks: [String]) throws -> [Double] {
        let policy = try LuaPolicy(file: shippedPolicy("fixed"), options: options)
        try policy.start(context(tasks: tasks))
        let signals = StepSignals(tasks: tasks, step: 1, epoch: 1, progress: 0, learningRate: 0.01,
                                  loss: tasks.map { _ in 1 }, initialLoss: tasks.map { _ in 1 }, weights: tasks.map { _ in 1 })
        return try policy.weights(for: signals).shared
    }

    private func initError(_ options: [String: SettingValue], tasks: [String]) throws -> LuaPolicyError {
        let policy = try LuaPolicy(file: shippedPolicy("fixed"), options: options)
        return try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: tasks)) }
    }

    @Test func withoutOptionsEveryTaskWeighsOne() throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 5, seed: UInt64(tasks))
            let result = try run("fixed", on: trace)
            #expect(result.weights.allSatisfy { $0.shared == [Double](repeating: 1, count: tasks) && $0.weightsTheLosses })
        }
    }

    /// Hand-Crafted (Table 1): P 0.4, D 0.3, S 0.2, C 0.1, in manifest order, the same at every step.
    @Test func weightsInManifestOrderStayFixed() throws {
        let trace = PolicyTrace.random(tasks: 4, steps: 10, seed: 3)
        let result = try run("fixed", options: ["weights": numbers([0.4, 0.3, 0.2, 0.1])], on: trace)
        #expect(result.weights.allSatisfy { $0.shared == [0.4, 0.3, 0.2, 0.1] })
    }

    @Test func weightsAreMappedToTasksByName() throws {
        let handCrafted = try answer(["weights": numbers([0.1, 0.2, 0.3, 0.4]),
                                      "tasks": names(["classification", "segmentation", "detection", "pose"])],
                                     tasks: manifestOrder)
        #expect(handCrafted == [0.4, 0.3, 0.2, 0.1])
        // Prioritize Easy: classification 0.97, the others 0.01; Prioritize Hard: pose 0.97.
        let easy = try answer(["weights": numbers([0.97, 0.01, 0.01, 0.01]),
                               "tasks": names(["classification", "pose", "detection", "segmentation"])], tasks: manifestOrder)
        #expect(easy == [0.01, 0.01, 0.01, 0.97])
        let hard = try answer(["weights": numbers([0.01, 0.01, 0.01, 0.97]),
                               "tasks": names(["classification", "segmentation", "detection", "pose"])], tasks: manifestOrder)
        #expect(hard == [0.97, 0.01, 0.01, 0.01])
    }

    @Test func zeroWeightsAreAllowedForSomeTasks() throws {
        #expect(try answer(["weights": numbers([0, 2])], tasks: ["a", "b"]) == [0, 2])
    }

    @Test func lengthMismatchIsAnInitError() throws {
        let error = try initError(["weights": numbers([0.5, 0.5])], tasks: manifestOrder)
        #expect(error.phase == .initialisation)
        #expect(error.message.contains("weights has 2 entries, expected 4"))
        let named = try initError(["weights": numbers([0.5, 0.5]), "tasks": names(["pose"])], tasks: ["pose", "detection"])
        #expect(named.message.contains("tasks has 1 entries but weights has 2"))
    }

    @Test func unknownTaskNameIsAnInitError() throws {
        let error = try initError(["weights": numbers([0.5, 0.5]), "tasks": names(["pose", "depth"])], tasks: ["pose", "detection"])
        #expect(error.message.contains("unknown task 'depth'"))
    }

    @Test func missingOrRepeatedTaskIsAnInitError() throws {
        let missing = try initError(["weights": numbers([0.5, 0.5]), "tasks": names(["pose", "detection"])],
                                    tasks: ["pose", "detection", "segmentation"])
        #expect(missing.message.contains("task 'segmentation' has no weight"))
        let repeated = try initError(["weights": numbers([0.5, 0.5]), "tasks": names(["pose", "pose"])], tasks: ["pose", "detection"])
        #expect(repeated.message.contains("task 'pose' is given twice"))
    }

    @Test func negativeOrAllZeroWeightsAreInitErrors() throws {
        let negative = try initError(["weights": numbers([0.5, -0.1])], tasks: ["a", "b"])
        #expect(negative.message.contains("weights[2] must be a finite number ≥ 0"))
        let zero = try initError(["weights": numbers([0, 0])], tasks: ["a", "b"])
        #expect(zero.message.contains("must not all be 0"))
        let namesOnly = try initError(["tasks": names(["a", "b"])], tasks: ["a", "b"])
        #expect(namesOnly.message.contains("weights is empty"))
    }
}

private func numbers(_ values: [Double]) -> SettingValue { .list(values.map(SettingValue.number)) }
private func names(_ values: [String]) -> SettingValue { .list(values.map(SettingValue.string)) }
