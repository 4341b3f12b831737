import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

@Suite("Policy options, context and sandbox")
struct PolicyOptionsAndSandboxTests {
    let directory = ScratchDirectory()

    @Test func unknownOptionListsTheValidOnes() {
        let error = #expect(throws: LuaPolicyError.self) {
            try LuaPolicy(file: shippedPolicy("dtp"), options: ["gama": .number(2)])
        }
        #expect(error?.description == "policy dtp options: unknown option 'gama'; valid options: alpha, gamma, gammas, kpi_smoothing, percentile, prioritize, renormalise, warmup, window")
    }

    @Test func optionOfTheWrongTypeIsRejected() {
        let error = #expect(throws: LuaPolicyError.self) {
            try LuaPolicy(file: shippedPolicy("dtp"), options: ["gamma": .string("two")])
        }
        #expect(error?.description == "policy dtp options: option 'gamma' must be a number like its default 1, got string \"two\"")
    }

    @Test func optionsAreFieldsOfSelfAndContextIsComplete() throws {
        let file = directory.write("echo.lua", """
            local P = { name = "echo", defaults = { scale = 1.0, label = "x", on = false } }
            function P:init(ctx)
              self.seen = ctx
            end
            function P:weights(s)
              local c = self.seen
              assert(c.tasks[2] == "b" and c.kinds[1] == "classification", "tasks and kinds")
              assert(c.options.scale == 3 and c.options.label == "x" and c.options.on == true, "ctx.options")
              assert(c.total_steps == 1000 and c.steps_per_epoch == 10 and c.seed == 5, "ctx numbers")
              assert(s.step == 1 and s.lr == 0.01 and s.initial_loss[2] == 2 and s.weights[1] == 1, "s fields")
              return { self.scale, self.on and 1 or 0 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file, options: ["scale": .number(3), "on": .boolean(true)])
        #expect(policy.options == ["scale": .number(3), "label": .string("x"), "on": .boolean(true)])
        try policy.start(context(tasks: ["a", "b"], stepsPerEpoch: 10, seed: 5))
        #expect(try policy.weights(for: signals(step: 1, loss: [1, 2])) == TaskWeights([3, 1]))
    }

    @Test(arguments: [
        ("io", "nil"), ("os", "nil"), ("debug", "nil"), ("package", "nil"), ("require", "function"),
        ("dofile", "nil"), ("loadfile", "nil"), ("collectgarbage", "nil"), ("string", "table"), ("utf8", "table"),
        ("random", "function"),
    ])
    func onlyTheSafeLibrariesAreOpen(global: String, expectedType: String) throws {
        let file = directory.write("globals.lua", """
            local P = { name = "globals" }
            function P:weights(s)
              local value = rawget(_G, "\(global)")
              assert(type(value) == "\(expectedType)", "\(global) is " .. type(value))
              return { 1 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a"]))
        #expect(try policy.weights(for: signals(step: 1, loss: [1])) == TaskWeights([1]))
    }

    @Test func binaryChunksAreRefused() throws {
        let file = directory.write("binary.lua", """
            local P = { name = "binary" }
            function P:weights(s)
              local chunk, message = load(string.dump(function() return 1 end), "dumped", "b")
              assert(chunk == nil, "a binary chunk loaded")
              error(message, 0)
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        try policy.start(context(tasks: ["a"]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 1, loss: [1])) }
        #expect(error.message == "attempt to load a binary chunk (mode is 't')")
    }

    @Test func mathRandomIsSeededFromTheRun() throws {
        let file = directory.write("random.lua", """
            local P = { name = "random" }
            function P:weights(s) return { math.random(), math.random() } end
            return P
            """)
        func draws(seed: UInt64) throws -> [Double] {
            let policy = try LuaPolicy(file: file)
            try policy.start(context(tasks: ["a", "b"], seed: seed))
            return try (1...3).flatMap { try policy.weights(for: signals(step: $0, loss: [1, 1])).shared }
        }
        #expect(try draws(seed: 11) == draws(seed: 11))
        #expect(try draws(seed: 11) != draws(seed: 12))
    }

    @Test func runsDoNotShareState() throws {
        let file = directory.write("counter.lua", """
            local P = { name = "counter" }
            local count = 0
            function P:weights(s) count = count + 1; return { count } end
            return P
            """)
        let first = try LuaPolicy(file: file), second = try LuaPolicy(file: file)
        try first.start(context(tasks: ["a"]))
        try second.start(context(tasks: ["a"]))
        _ = try first.weights(for: signals(step: 1, loss: [1]))
        #expect(try first.weights(for: signals(step: 2, loss: [1])) == TaskWeights([2]))
        #expect(try second.weights(for: signals(step: 1, loss: [1])) == TaskWeights([1]))
    }
}

@Suite("Sandbox rules and limits")
struct SandboxTests {
    let directory = ScratchDirectory()

    func failure(_ body: String, limits: LuaLimits = LuaLimits()) throws -> (LuaPolicyError, String) {
        let file = directory.write("rule.lua", "local P = { name = \"rule\" }\nfunction P:weights(s)\n\(body)\nend\nreturn P\n")
        let policy = try LuaPolicy(file: file, limits: limits)
        try policy.start(context(tasks: ["a"]))
        let error = try #require(throws: LuaPolicyError.self) { try policy.weights(for: signals(step: 2, loss: [1])) }
        return (error, file)
    }

    @Test func readingAnUnknownGlobalNamesIt() throws {
        let (error, file) = try failure("  return { weigth }")
        #expect(error.description == "policy rule step 2: \(file):3: unknown global 'weigth'")
    }

    @Test func assigningAGlobalNamesIt() throws {
        let (error, file) = try failure("  total = 1\n  return { total }")
        #expect(error.description == "policy rule step 2: \(file):3: assignment to undeclared global 'total' (use a local, or a field of self)")
    }

    @Test(arguments: [
        ("  return { os.time() }", "unknown global 'os'"),
        ("  return { io.read() }", "unknown global 'io'"),
        ("  return { debug.traceback() }", "unknown global 'debug'"),
        ("  return { require('../../etc/passwd') }", "require: '../../etc/passwd' is not a module name like 'simplex' or 'solvers.minnorm'"),
        ("  return { collectgarbage('count') }", "unknown global 'collectgarbage'"),
        ("  setmetatable(_G, nil)", "cannot change a protected metatable"),
        ("  math.randomseed(1)", "math.randomseed is disabled: math.random is seeded from the run's seed"),
    ])
    func escapesFailWithAClearMessage(body: String, message: String) throws {
        let (error, file) = try failure(body)
        #expect(error.description == "policy rule step 2: \(file):3: \(message)")
    }

    @Test func escapeThroughMetatablesOfStringsStaysInsideTheState() throws {
        // A policy may change its own string metatable, but the state is its own: the next run is clean.
        let file = directory.write("strings.lua", """
            local P = { name = "strings" }
            function P:weights(s)
              getmetatable("").__index.upper = function() return "pwned" end
              return { ("a"):upper() == "pwned" and 1 or 0 }
            end
            return P
            """)
        let first = try LuaPolicy(file: file)
        try first.start(context(tasks: ["a"]))
        #expect(try first.weights(for: signals(step: 1, loss: [1])) == TaskWeights([1]))
        let clean = directory.write("clean.lua", "local P = { name = 'clean' }\nfunction P:weights(s) return { ('a'):upper() == 'A' and 1 or 0 } end\nreturn P\n")
        let second = try LuaPolicy(file: clean)
        try second.start(context(tasks: ["a"]))
        #expect(try second.weights(for: signals(step: 1, loss: [1])) == TaskWeights([1]))
    }

    @Test func unboundedAllocationIsStoppedAtTheMemoryLimit() throws {
        let limits = LuaLimits(memoryBytes: 4 << 20)
        let (error, _) = try failure("""
              local hoard = {}
              while true do hoard[#hoard + 1] = string.rep("x", 4096) .. #hoard end
            """, limits: limits)
        #expect(error.description == "policy rule step 2: memory limit of 4 MiB exceeded")
        // The next policy, with its own state, runs normally.
        let fine = try LuaPolicy(file: shippedPolicy("equal"), limits: limits)
        try fine.start(context(tasks: ["a"]))
        #expect(try fine.weights(for: signals(step: 1, loss: [1])) == TaskWeights([1]))
    }

    @Test func aPolicyThatRunsForeverIsStoppedAtTheTimeLimit() throws {
        let (error, file) = try failure("  while true do end", limits: LuaLimits(milliseconds: 100))
        #expect(error.description == "policy rule step 2: \(file):3: time limit of 100 ms exceeded")
    }

    @Test func thePolicysOwnPcallCannotSwallowTheTimeout() throws {
        let (error, _) = try failure("""
              while true do
                pcall(function() while true do end end)
              end
            """, limits: LuaLimits(milliseconds: 100))
        #expect(error.message.hasSuffix("time limit of 100 ms exceeded"))
    }

    @Test func afterATimeoutTheNextRunProceeds() throws {
        _ = try failure("  while true do end", limits: LuaLimits(milliseconds: 50))
        let next = try LuaPolicy(file: shippedPolicy("dtp"))
        try next.start(context(tasks: ["a", "b"]))
        for step in 1...200 {
            _ = try next.weights(for: signals(step: step, loss: [1, 1], kpi: [0.5, 0.7]))
        }
    }

    @Test func aFileThatLoopsAtLoadIsStoppedToo() throws {
        let file = directory.write("hang.lua", "while true do end\n")
        let error = try #require(throws: LuaPolicyError.self) { try LuaPolicy(file: file, limits: LuaLimits(milliseconds: 50)) }
        #expect(error.description == "policy \(file) load: \(file):1: time limit of 50 ms exceeded")
    }

    @Test func policiesCanUseTheSeededRandomGlobal() throws {
        let file = directory.write("rlw.lua", "local P = { name = 'rlw' }\nfunction P:weights(s) return { random(), math.random() } end\nreturn P\n")
        func draw(_ seed: UInt64) throws -> [Double] {
            let policy = try LuaPolicy(file: file)
            try policy.start(context(tasks: ["a", "b"], seed: seed))
            return try policy.weights(for: signals(step: 1, loss: [1, 1])).shared
        }
        #expect(try draw(3) == draw(3))
    }
}

@Suite("Gradient signals in Lua")
struct GradientSignalsInLuaTests {
    let directory = ScratchDirectory()

    @Test func gramGradNormAndRepGramArriveAsArrays() throws {
        let file = directory.write("grads.lua", """
            local P = { name = "grads", needs = { "gram", "grad_norm", "rep_gram" }, grad_norm_scope = "last_shared_layer" }
            function P:weights(s)
              return { s.gram[1][2] + s.grad_norm[2], s.rep_gram[2][1] * 10 }
            end
            return P
            """)
        let policy = try LuaPolicy(file: file)
        #expect(policy.needs == [.gram, .gradientNorm, .representationGram])
        #expect(policy.gradientNormScope == .lastSharedLayer)
        try policy.start(context(tasks: ["a", "b"]))
        var s = signals(step: 1, loss: [1, 1])
        s.gram = [[4, 0.5], [0.5, 9]]
        s.gradientNorm = [2, 3]
        s.representationGram = [[1, 0.25], [0.25, 1]]
        #expect(try policy.weights(for: s) == TaskWeights([3.5, 2.5]))
    }

    @Test func unknownGradientNormScopeIsALoadError() {
        let file = directory.write("scope.lua", "return { name = 'x', grad_norm_scope = 'everything', weights = function() end }")
        let error = #expect(throws: LuaPolicyError.self) { try LuaPolicy(file: file) }
        #expect(error?.message == "\(file): 'grad_norm_scope' must be 'shared' or 'last_shared_layer'")
    }
}
