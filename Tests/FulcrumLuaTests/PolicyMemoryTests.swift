import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// `memory = true`: ctx.memory and ctx.generation in init, `P:finish(ctx, result)` and what it may return.
@Suite("Policy memory: ctx.memory and P:finish")
struct PolicyMemoryTests {
    let directory = ScratchDirectory()

    static let records = [
        MemoryRecord(generation: 2, seed: 1, run: "b", value: .object(["score": .number(0.25), "params": .array([.number(1), .number(2)])])),
        MemoryRecord(generation: 1, seed: 2, run: "c", value: .number(7)),
        MemoryRecord(generation: 1, seed: 1, run: "a", value: .object(["score": .number(0.5), "tag": .string("x"), "ok": .boolean(true)])),
    ]

    func policy(_ body: String, declarations: String = "memory = true") -> String {
        directory.write("p.lua", """
            local P = { name = "p", \(declarations) }
            function P:weights(s) return { 1, 1 } end
            \(body)
            return P
            """)
    }

    func started(_ file: String, memory: PolicyMemory = PolicyMemory(generation: 3, of: 5, records: records)) throws -> LuaPolicy {
        let policy = try LuaPolicy(file: file)
        policy.memory = memory
        try policy.start(context(tasks: ["a", "b"]))
        return policy
    }

    let result = PolicyRunResult(steps: 40, validation: EvaluationRecord(step: 40, loss: [0.5, 1.5], kpi: [0.75, 0.25]))

    @Test func initSeesTheRecordsInOrderAndFinishSeesTheResult() throws {
        let file = policy("""
            function P:init(ctx)
              self.summary = {}
              for i, record in ipairs(ctx.memory) do
                self.summary[i] = record.generation .. "/" .. record.seed .. "/" .. record.run
              end
              self.generation = ctx.generation .. " of " .. ctx.generations
              self.first_score = ctx.memory[1].value.score
              self.count = #ctx.memory
              local keys = {}
              for key in pairs(ctx.memory[3].value) do keys[#keys + 1] = key end
              table.sort(keys)
              self.keys = table.concat(keys, ",")
            end
            function P:finish(ctx, result)
              return { order = self.summary, generation = self.generation, first = self.first_score, count = self.count,
                       keys = self.keys, steps = result.steps, diverged = result.diverged, val_step = result.val_step,
                       val_kpi = result.val_kpi, val_loss = result.val_loss, tasks = ctx.tasks, again = #ctx.memory }
            end
            """)
        let remembered = try #require(try started(file).finish(result))
        #expect(remembered == .object([
            "order": .array([.string("1/1/a"), .string("1/2/c"), .string("2/1/b")]), "generation": .string("3 of 5"), "first": .number(0.5),
            "count": .number(3), "keys": .string("params,score"), "steps": .number(40), "diverged": .boolean(false), "val_step": .number(40),
            "val_kpi": .array([.number(0.75), .number(0.25)]), "val_loss": .array([.number(0.5), .number(1.5)]),
            "tasks": .array([.string("a"), .string("b")]), "again": .number(3),
        ]))
    }

    @Test func aDivergedRunSaysSo() throws {
        let file = policy("function P:finish(ctx, result) return { result.diverged, result.diverged_step, result.val_kpi == nil } end")
        let value = try started(file).finish(PolicyRunResult(steps: 7, divergedStep: 7, validation: nil))
        #expect(value == .array([.boolean(true), .number(7), .boolean(true)]))
    }

    @Test func ctxMemoryIsReadOnlyAllTheWayDown() throws {
        for write in ["ctx.memory[1] = 1", "ctx.memory[1].value.score = 1", "ctx.memory[3].value.params[1] = 0"] {
            let file = policy("function P:init(ctx) \(write) end\nfunction P:finish() return nil end")
            let error = try #require(throws: LuaPolicyError.self) { try started(file) }
            #expect(error.description == "policy p init: \(file):3: ctx.memory is read-only: copy what you need into a table of your own")
        }
    }

    @Test func aRecordReturnedAsItIsRemembersItsValue() throws {
        let file = policy("function P:init(ctx) self.kept = ctx.memory[3].value end\nfunction P:finish() return self.kept end")
        #expect(try started(file).finish(result) == Self.records[0].value)
    }

    @Test func aPolicyThatDoesNotRememberSeesNoMemory() throws {
        let file = policy("function P:init(ctx) assert(ctx.memory == nil and ctx.generation == nil) end", declarations: "")
        let policy = try started(file)
        #expect(!policy.remembers)
        #expect(try policy.finish(result) == nil)
    }

    @Test(arguments: [
        ("return { f = function() end }", "finish's answer.f is a function, expected a number, boolean, string or table"),
        ("return { 1, x = 2 }", "finish's answer mixes string keys and array indices; expected one or the other (it is stored as JSON)"),
        ("return { [1] = 1, [3] = 3 }", "finish's answer is an array with holes (indices up to 3, 2 values); expected 1, 2, …, n"),
        ("return { score = 0 / 0 }", "finish's answer.score is NaN, expected a finite number (memory is stored as JSON)"),
        ("return { [1.5] = 1 }", "finish's answer has the key 1.5; expected string keys or array indices 1, 2, …"),
        ("local t = {}; t.self = t; return t",
         "finish's answer.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self nests tables more than 32 deep (a table that contains itself?)"),
    ])
    func whatCannotBeRememberedIsNamed(body: String, message: String) throws {
        let file = policy("function P:finish(ctx, result) \(body) end")
        let error = try #require(throws: LuaPolicyError.self) { try started(file).finish(result) }
        #expect(error.description == "policy p finish: \(file):3: \(message)")
    }

    @Test func anErrorInFinishNamesItsLine() throws {
        let file = policy("function P:finish(ctx, result)\n  error('cannot summarise')\nend")
        let error = try #require(throws: LuaPolicyError.self) { try started(file).finish(result) }
        #expect(error.description == "policy p finish: \(file):4: cannot summarise")
    }

    @Test(arguments: [
        ("memory = true", "", "memory = true needs a function 'finish' (function P:finish(ctx, result) … end) returning what to remember"),
        ("", "function P:finish() end", "'finish' is called only for a policy that remembers: declare memory = true, or remove finish"),
        ("memory = 'yes'", "function P:finish() end", "'memory' must be true or false, got a string"),
        ("memory = true, finish = 3", "", "'finish' must be a function (function P:finish(ctx, result) … end), got number"),
    ])
    func declarationsAreChecked(declarations: String, body: String, message: String) throws {
        let file = policy(body, declarations: declarations)
        let error = try #require(throws: LuaPolicyError.self) { try LuaPolicy(file: file) }
        #expect(error.description == "policy \(file) load: \(file): \(message)")
    }

    @Test func aMemoryFileIsReadAndItsProblemsNamed() throws {
        let records = directory.write("memory.json", String(decoding: try JSONEncoder().encode(Self.records), as: UTF8.self))
        let memory = try PolicyMemory.load(file: records)
        #expect(memory.generation == 3 && memory.generations == 3 && memory.records.map(\.run) == ["a", "c", "b"])
        let bad = directory.write("bad.json", #"[{"generation": 1, "seed": 1, "value": 2}]"#)
        #expect(throws: MemoryFileError.self) { try PolicyMemory.load(file: bad) }
        do { _ = try PolicyMemory.load(file: bad) } catch {
            #expect("\(error)" == #"\#(bad): expected a JSON array of memory records ({"generation": 1, "seed": 1, "run": "…", "value": …}): missing key 'run' at [0]"#)
        }
    }

    @Test func policyCheckPassesTheMemoryAndCallsFinish() throws {
        let file = policy("""
            function P:init(ctx) self.seen = #ctx.memory end
            function P:finish(ctx, result) return { seen = self.seen, kpi = result.val_kpi[1] > 0 } end
            """)
        let report = try PolicyCheck.check(file: file, tasks: 2, steps: 5, memory: PolicyMemory(generation: 2, records: Self.records))
        #expect(report.steps.count == 5)
        #expect(report.remembered == .object(["seen": .number(3), "kpi": .boolean(true)]))
    }
}
