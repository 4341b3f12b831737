import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Policy tools: check and new")
struct PolicyToolTests {
    let directory = ScratchDirectory()

    @Test(arguments: ["equal", "dtp", "dwa"])
    func everyShippedPolicyPassesTheCheck(name: String) throws {
        let results = try PolicyCheck.run(file: shippedPolicy(name), tasks: 4, steps: 30)
        #expect(results.count == 30)
        #expect(results.allSatisfy { $0.weights.shared.count == 4 && $0.weights.shared.allSatisfy { $0.isFinite && $0 >= 0 } })
    }

    @Test func checkGivesEverySignalThePolicyNeeds() throws {
        let file = directory.write("all.lua", """
            local P = { name = "all", needs = { "kpi", "val_kpi", "val_loss", "grad_norm", "gram", "rep_gram" } }
            function P:weights(s)
              local w = {}
              for t = 1, #s.tasks do
                assert(s.kpi[t] >= 0 and s.kpi[t] <= 1 and s.val_kpi[t] and s.val_loss[t] > 0)
                assert(math.abs(s.grad_norm[t] ^ 2 - s.gram[t][t]) < 1e-9 and s.rep_gram[t][t] >= 0)
                w[t] = 1
              end
              return w
            end
            return P
            """)
        #expect(try PolicyCheck.run(file: file, tasks: 3, steps: 5).count == 5)
    }

    @Test func checkIsReproducibleAndHonoursOptions() throws {
        let a = try PolicyCheck.run(file: shippedPolicy("dtp"), tasks: 3, steps: 8, options: ["gamma": .number(2)])
        let b = try PolicyCheck.run(file: shippedPolicy("dtp"), tasks: 3, steps: 8, options: ["gamma": .number(2)])
        let c = try PolicyCheck.run(file: shippedPolicy("dtp"), tasks: 3, steps: 8)
        #expect(a == b && a != c)
    }

    @Test func checkFailsWithThePolicysMessage() throws {
        let file = directory.write("bad.lua", "local P = { name = 'bad' }\nfunction P:weights(s)\n  return { -1 }\nend\nreturn P\n")
        let error = try #require(throws: LuaPolicyError.self) { try PolicyCheck.run(file: file, tasks: 1, steps: 3) }
        #expect(error.description == "policy bad step 1: \(file):2: weights[1] is -1.0, expected a finite number ≥ 0: {-1.0}")
    }

    @Test func optionsParseFromTheCommandLine() {
        #expect(PolicyCheck.parseOption("gamma=2")! == ("gamma", .number(2)))
        #expect(PolicyCheck.parseOption("on=true")! == ("on", .boolean(true)))
        #expect(PolicyCheck.parseOption("g=[1, 2.5]")! == ("g", .list([.number(1), .number(2.5)])))
        #expect(PolicyCheck.parseOption("mode=epoch")! == ("mode", .string("epoch")))
        #expect(PolicyCheck.parseOption("=3") == nil && PolicyCheck.parseOption("gamma") == nil)
    }

    @Test func newWritesATemplateThatPassesTheCheck() throws {
        let path = try PolicyTemplate.write(name: "mine", directory: "\(directory.path)/policies")
        #expect(path == "\(directory.path)/policies/mine.lua")
        let policy = try LuaPolicy(file: path)
        #expect(policy.name == "mine" && policy.defaults == ["temperature": .number(1)])
        #expect(try PolicyCheck.run(file: path, tasks: 4, steps: 5).count == 5)
        #expect(throws: PolicyTemplate.TemplateError.self) { try PolicyTemplate.write(name: "mine", directory: "\(directory.path)/policies") }
        #expect(throws: PolicyTemplate.TemplateError.self) { try PolicyTemplate.write(name: "9lives", directory: directory.path) }
    }
}

@Suite("The reused s table")
struct SignalsReuseTests {
    let directory = ScratchDirectory()

    @Test func sAndItsArraysAreRefilledInPlaceEachStep() throws {
        let file = directory.write("keep.lua", """
            local P = { name = "keep" }
            function P:weights(s)
              if self.first then
                assert(rawequal(self.first, s) and rawequal(self.firstLoss, s.loss), "s is reused")
                assert(self.firstLoss[1] == s.loss[1], "and holds this step's numbers")
              else
                self.first, self.firstLoss, self.copy = s, s.loss, { s.loss[1] }
              end
              return { self.copy[1], 1 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [3, 1])) == TaskWeights([3, 1]))
        #expect(try policy.weights(for: signals(step: 2, loss: [5, 1])) == TaskWeights([3, 1]), "a copy keeps step 1's value")
    }

    @Test func aPolicyThatVandalisesSCannotBreakTheNextStep() throws {
        let file = directory.write("vandal.lua", """
            local P = { name = "vandal" }
            function P:weights(s)
              local w = { s.loss[1], s.loss[2] }
              s.loss = 5
              s.tasks = nil
              setmetatable(s, { __newindex = function() error("trap") end })
              return w
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a", "b"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [2, 3])) == TaskWeights([2, 3]))
        #expect(try policy.weights(for: signals(step: 2, loss: [4, 6])) == TaskWeights([4, 6]))
    }

    @Test func arraysAPolicyResizedOrReplacedAreRebuiltWhole() throws {
        // Step 1 grows s.loss, shrinks a row of s.gram and swaps s.tasks; step 2 must see exact arrays.
        let file = directory.write("resize.lua", """
            local P = { name = "resize", needs = { "gram" } }
            function P:weights(s)
              assert(#s.loss == 2 and #s.gram == 2 and #s.gram[1] == 2 and #s.tasks == 2, "exact shapes")
              assert(s.tasks[1] == "task1" and s.tasks[2] == "task2", "task names")
              local w = { s.loss[1] + s.gram[1][2], s.loss[2] + s.gram[2][1] }
              s.loss[3] = 99
              s.gram[1] = { 7 }
              s.tasks = { "x", "y" }
              return w
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["task1", "task2"]))
        func step(_ n: Int, _ loss: [Double], _ cross: Double) -> StepSignals {
            var s = signals(step: n, loss: loss)
            s.gram = [[1, cross], [cross, 1]]
            return s
        }
        #expect(try policy.weights(for: step(1, [2, 3], 0.5)) == TaskWeights([2.5, 3.5]))
        #expect(try policy.weights(for: step(2, [4, 6], 0.25)) == TaskWeights([4.25, 6.25]))
    }
}
