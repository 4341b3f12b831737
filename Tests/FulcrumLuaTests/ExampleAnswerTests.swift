import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// The `examples` field of an answer, and the per-example and validation signals as a policy sees them.
@Suite("Example weights in answers")
struct ExampleAnswerTests {
    let directory = ScratchDirectory()

    /// Two tasks, three examples per task.
    func stepWithExamples() -> StepSignals {
        var s = signals(step: 2, loss: [1, 2])
        s.exampleLoss = [[0.5, 1, 1.5], [1, 2, 3]]
        return s
    }

    func answer(_ body: String) throws -> (file: String, policy: LuaPolicy) {
        let file = directory.write("examples.lua", """
            local P = { name = "examples", needs = { "example_loss" } }
            function P:weights(s) \(body) end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        return (file, policy)
    }

    @Test func exampleWeightsAreReadPerTaskWithNilForAPlainMean() throws {
        let (_, policy) = try answer("local w = { 1, 0.5 }; w.examples = { nil, { 0, 2, s.example_loss[2][3] } }; return w")
        #expect(try policy.weights(for: stepWithExamples()) == TaskWeights([1, 0.5], examples: [nil, [0, 2, 3]]))
        let (_, split) = try answer("return { shared = { 1, 1 }, heads = { 1, 1 }, examples = { { 1, 1, 1 } } }")
        #expect(try split.weights(for: stepWithExamples()) == TaskWeights(shared: [1, 1], heads: [1, 1], examples: [[1, 1, 1], nil]))
    }

    @Test(arguments: [
        ("return { 1, 1, examples = 3 }", "examples is a number, expected a table of 2 arrays (one per task; nil keeps a task's mean)"),
        ("return { 1, 1, examples = { {1, 1, 1}, 'x' } }", "examples[2] is a string, expected an array of numbers ≥ 0 (one per example in the batch)"),
        ("return { 1, 1, examples = { {1, 'x', 1} } }", "examples[1][2] is a string, expected a finite number ≥ 0: {1.0, a string, 1.0}"),
        ("return { 1, 1, examples = { {1, -1, 1} } }", "examples[1][2] is -1.0, expected a finite number ≥ 0: {1.0, -1.0, 1.0}"),
        ("return { 1, 1, examples = { {1, 1} } }", "examples[1] has 2 entries, expected 3 (one per example in the batch): {1.0, 1.0}"),
        ("return { 1, 1, examples = { {1, 1, 1}, {1, 1, 1}, {1, 1, 1} } }", "examples has 3 entries, expected at most 2 (one per task)"),
    ])
    func invalidExampleWeightsNameTheEntry(body: String, message: String) throws {
        let (file, policy) = try answer(body)
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: stepWithExamples()) }
        #expect(error.description == "policy examples step 2: \(file):2: \(message)")
    }

    /// val_align is nil at the steps it is not measured, even after a step that had it.
    @Test func validationAlignmentIsAbsentBetweenMeasurements() throws {
        let file = directory.write("align.lua", """
            local P = { name = "align", needs = { "val_align" }, defaults = { val_align_every = 2 } }
            function P:weights(s) return s.val_align and { s.val_align[1], s.val_align[2] } or { 7, 7 } end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        var measured = signals(step: 1, loss: [1, 1])
        measured.validationAlignment = [0.25, 3]
        #expect(try policy.weights(for: measured).shared == [0.25, 3])
        #expect(try policy.weights(for: signals(step: 2, loss: [1, 1])).shared == [7, 7])
    }
}
