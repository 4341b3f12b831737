import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// Broken policies fail with the documented message: `policy <name> step <n>: <file>:<line>: <message>`.
@Suite("Policy errors")
struct PolicyErrorTests {
    let directory = ScratchDirectory()

    @Test func syntaxErrorNamesFileAndLine() throws {
        let file = directory.write("syntax.lua", """
            local P = { name = "syntax" }
            function P:weights(s)
              return { 1, 1
            end
            return P
            """)
        #expect(throws: LuaPolicyError(policy: file, phase: .load,
                                       message: "\(file):4: '}' expected (to close '{' at line 3) near 'end'")) {
            try LuaPolicy(file: file)
        }
        let error = try #require(throws: LuaPolicyError.self) { try LuaPolicy(file: file) }
        #expect(error.description == "policy \(file) load: \(file):4: '}' expected (to close '{' at line 3) near 'end'")
    }

    @Test func runtimeErrorNamesPolicyStepFileAndLine() throws {
        // Reads s.kpi without declaring it in `needs`, so the trainer never sends it.
        let file = directory.write("runtime.lua", """
            local P = { name = "forgetful" }
            function P:weights(s)
              local w = {}
              for t = 1, #s.tasks do
                w[t] = 1 - s.kpi[t]
              end
              return w
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 7, loss: [1, 1])) }
        #expect(error.description == "policy forgetful step 7: \(file):5: attempt to index a nil value (field 'kpi')")
        #expect(error.traceback?.contains("\(file):5: in ") == true)
    }

    @Test func explicitErrorCarriesItsLine() throws {
        let file = directory.write("raise.lua", """
            local P = { name = "raise" }
            function P:weights(s)
              if s.step > 1 then error("no weights after step one") end
              return { 1 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a"]))
        _ = try policy.weights(for: signals(step: 1, loss: [1]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 2, loss: [1])) }
        #expect(error.description == "policy raise step 2: \(file):3: no weights after step one")
    }

    @Test func anErrorObjectThatIsNotAStringIsShownWithTheLineThatRaisedIt() throws {
        let file = directory.write("table.lua", """
            local P = { name = "table" }
            local function fail(object) error(object) end
            function P:weights(s)
              if s.step == 1 then error({ code = 1, why = "bad \\"x\\"\\n", 7, { depth = { deeper = 1 } }, [10] = true, [2.5] = fail }) end
              if s.step == 2 then fail(nil) end
              if s.step == 3 then error(setmetatable({}, { __tostring = function() return "custom text" end })) end
              local many = {}
              for i = 1, 12 do many["k" .. i] = i end
              error(many)
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a"]))
        func message(_ step: Int) throws -> String {
            try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: step, loss: [1])) }.message
        }
        // The sequence, then string keys sorted, then number keys; tables two deep are elided.
        #expect(try message(1) == #"\#(file):4: error raised with a table value: { 7, { depth = {…} }, code = 1, why = "bad \"x\"\n", [2.5] = <function>, [10] = true }"#)
        // The innermost Lua frame raised it: the helper's line.
        #expect(try message(2) == "\(file):2: error raised with a nil value: nil")
        // A __tostring metamethod speaks for its object, as in Lua.
        #expect(try message(3) == "custom text")
        #expect(try message(4) == "\(file):9: error raised with a table value: { k1 = 1, k10 = 10, k11 = 11, k12 = 12, k2 = 2, k3 = 3, k4 = 4, k5 = 5, … }")
    }

    @Test func wrongNumberOfWeightsNamesTheWeightsFunction() throws {
        let file = directory.write("count.lua", """
            local P = { name = "count" }

            function P:weights(s)
              return { 1, 1, 1 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 1, loss: [1, 1])) }
        #expect(error.description == "policy count step 1: \(file):3: weights has 3 entries, expected 2 (one per task): {1.0, 1.0, 1.0}")
    }

    @Test(arguments: [
        ("return { 1, -0.5 }", "weights[2] is -0.5, expected a finite number ≥ 0: {1.0, -0.5}"),
        ("return { 0/0, 1 }", "weights[1] is nan, expected a finite number ≥ 0: {nan, 1.0}"),
        ("return { 1, math.huge }", "weights[2] is inf, expected a finite number ≥ 0: {1.0, inf}"),
        ("return { 1, 'x' }", "weights[2] is a string, expected a finite number ≥ 0: {1.0, a string}"),
        ("return 1", "weights returned a number, expected an array of 2 numbers (one per task)"),
        ("return { shared = { 1, 1 } }", "heads is a nil, expected an array of 2 numbers (one per task)"),
        ("return { shared = { 0/0, 1 }, heads = { 1, 1 } }", "shared[1] is nan, expected a finite number: {nan, 1.0}"),
        ("return { shared = { 1, 'x' }, heads = { 1, 1 } }", "shared[2] is a string, expected a finite number: {1.0, a string}"),
        ("return { shared = { -1, 1 }, heads = { 1, -2 } }", "heads[2] is -2.0, expected a finite number ≥ 0: {1.0, -2.0}"),
        // Equal arrays in the split form are still named as the policy wrote them.
        ("return { shared = { -1, 1 }, heads = { -1, 1 } }", "heads[1] is -1.0, expected a finite number ≥ 0: {-1.0, 1.0}"),
    ])
    func invalidAnswersAreRejected(body: String, message: String) throws {
        let file = directory.write("answer.lua", "local P = { name = \"answer\" }\nfunction P:weights(s) \(body) end\nreturn P\n")
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 4, loss: [1, 1])) }
        #expect(error.description.replacingOccurrences(of: "-nan", with: "nan") == "policy answer step 4: \(file):2: \(message)")
    }

    @Test func splitAnswerIsRead() throws {
        let file = directory.write("split.lua", """
            local P = { name = "split" }
            function P:weights(s) return { shared = { 0.5, 2 }, heads = { 1, 3 } } end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [1, 1])) == TaskWeights(shared: [0.5, 2], heads: [1, 3]))
    }

    /// Shared coefficients may be negative (IMTL-G, Aligned-MTL combine gradients so); loss and head weights may not.
    @Test func negativeSharedCoefficientsAreAccepted() throws {
        let file = directory.write("negative.lua", """
            local P = { name = "negative" }
            function P:weights(s) return { shared = { -0.25, 1.5 }, heads = { 1, 1 } } end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [1, 1])) == TaskWeights(shared: [-0.25, 1.5], heads: [1, 1]))
    }

    @Test func errorInInitIsAnInitError() throws {
        let file = directory.write("init.lua", """
            local P = { name = "init", defaults = { gamma = 1 } }
            function P:init(ctx)
              assert(self.gamma < 0, "gamma must be negative here")
            end
            function P:weights(s) return { 1 } end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        let error = try #require(throws: LuaPolicyError.self) { try policy.start(context(tasks: ["a"])) }
        #expect(error.description == "policy init init: \(file):3: gamma must be negative here")
    }

    @Test(arguments: [
        ("return 42", "the file must return a policy table, got number"),
        ("return { weights = function() end }", "the policy table needs a non-empty string field 'name'"),
        ("return { name = 'x' }", "the policy table needs a function 'weights' (function P:weights(s) … end)"),
        ("return { name = 'x', needs = { 'kpis' }, weights = function() end }",
         "'needs' names unknown signal \"kpis\"; known signals: kpi, val_kpi, val_loss, grad_norm, gram, rep_gram, example_loss, val_align, grad_ema_gram, adagrad_norm2, prediction_gain"),
    ])
    func malformedPolicyTablesAreLoadErrors(source: String, message: String) throws {
        let file = directory.write("table.lua", source)
        let error = try #require(throws: LuaPolicyError.self) { try LuaPolicy(file: file) }
        #expect(error.description == "policy \(file) load: \(file): \(message)")
    }

    @Test func missingFileIsALoadError() {
        let error = #expect(throws: LuaPolicyError.self) { try LuaPolicy(file: "\(directory.path)/absent.lua") }
        #expect(error?.message == "cannot read \(directory.path)/absent.lua: no such file or not readable")
    }
}
