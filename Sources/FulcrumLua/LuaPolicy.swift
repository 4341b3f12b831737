import CFulcrumHost
import CLua
import FulcrumCore

/// A weighting policy written in Lua (the policy API of policies/README.md): a file returning a table with
/// `name`, `needs`, `defaults`, an optional `P:init(ctx)` and `P:weights(s)`, and — for a policy that
/// declares `memory = true` — `P:finish(ctx, result)`. Each instance owns its own interpreter, so runs
/// never share state.
public final class LuaPolicy: WeightingPolicy {
    public let file: String
    public let name: String
    public let needs: Set<PolicySignal>
    public let gradientNormScope: GradientNormScope
    public let validationAlignmentInterval: Int
    public let gradientHistory: GradientHistorySettings
    public let defaults: [String: SettingValue]
    /// `defaults` with the manifest's options merged over them.
    public let options: [String: SettingValue]
    /// `memory = true`: the policy sees `ctx.memory` and its `P:finish` says what to remember.
    public let remembers: Bool
    /// What `ctx.memory` and `ctx.generation` show (set before `start`; only a policy that remembers sees it).
    public var memory = PolicyMemory()

    private let lua: LuaState
    private let moduleReference: Int32
    /// `P.weights`, looked up once.
    private let weightsReference: Int32
    private var instanceReference: Int32?
    private let weightsLine: Int
    private let finishLine: Int
    /// The context `start` was given, shown again to `P:finish`.
    private var context: PolicyContext?
    private var taskCount = 0
    private let signalsTable = SignalsTable()
    /// Where the C side reads a well-formed answer (2T: the `{shared, heads}` form).
    private var answerBuffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 0)

    /// Loads and checks the policy file; `options` must be declared in its `defaults`, with the same type.
    public init(file: String, options overrides: [String: SettingValue] = [:], limits: LuaLimits = LuaLimits()) throws {
        self.file = file
        func loadError(_ message: String, _ traceback: String? = nil) -> LuaPolicyError {
            LuaPolicyError(policy: file, phase: .load, message: message, traceback: traceback)
        }
        do { lua = try LuaState(limits: limits) } catch let failure as LuaState.Failure { throw loadError(failure.message) }
        do {
            try lua.loadFile(file)
            try lua.call(arguments: 0, results: 1)
        } catch let failure as LuaState.Failure {
            throw loadError(failure.message, failure.traceback)
        }
        guard lua.type(at: -1) == LUA_TTABLE else {
            throw loadError("\(file): the file must return a policy table, got \(lua.typeName(at: -1))")
        }

        lua.rawField("name", of: -1)
        guard let name = lua.type(at: -1) == LUA_TSTRING ? lua.string(at: -1) : nil, !name.isEmpty else {
            throw loadError("\(file): the policy table needs a non-empty string field 'name'")
        }
        lua.pop()
        self.name = name

        let declaredNeeds = try Self.readNeeds(lua, file: file)
        gradientNormScope = try Self.readGradientNormScope(lua, file: file)
        defaults = try Self.readDefaults(lua, file: file)

        lua.rawField("weights", of: -1)
        guard lua.type(at: -1) == LUA_TFUNCTION else {
            throw loadError("\(file): the policy table needs a function 'weights' (function P:weights(s) … end)")
        }
        weightsLine = lua.definitionLine(ofFunctionAt: -1)
        weightsReference = luaL_ref(lua.L, fulcrum_host_registry_index())
        lua.rawField("init", of: -1)
        let initType = lua.type(at: -1), initTypeName = lua.typeName(at: -1)
        lua.pop()
        guard initType == LUA_TNIL || initType == LUA_TFUNCTION else {
            throw loadError("\(file): 'init' must be a function (function P:init(ctx) … end), got \(initTypeName)")
        }
        (remembers, finishLine) = try Self.readMemoryDeclaration(lua, file: file)

        options = try Self.merge(overrides, over: defaults, policy: name)
        needs = try declaredNeeds ?? Self.computeNeeds(lua, file: file, options: options)
        validationAlignmentInterval = try Self.validationAlignmentInterval(needs: needs, options: options, file: file)
        gradientHistory = try Self.gradientHistory(needs: needs, options: options, file: file)
        moduleReference = luaL_ref(lua.L, fulcrum_host_registry_index())
    }

    deinit {
        signalsTable.release(from: lua)
        luaL_unref(lua.L, fulcrum_host_registry_index(), moduleReference)
        luaL_unref(lua.L, fulcrum_host_registry_index(), weightsReference)
        if let instanceReference { luaL_unref(lua.L, fulcrum_host_registry_index(), instanceReference) }
        answerBuffer.deallocate()
    }

    // MARK: WeightingPolicy

    public func start(_ context: PolicyContext) throws {
        taskCount = context.tasks.count
        answerBuffer.deallocate()
        answerBuffer = .allocate(capacity: 2 * taskCount)
        do {
            try lua.seedRandom(context.seed)
            // self: the options as fields, with the module's functions through __index.
            lua.newTable(fieldCount: options.count)
            for (key, value) in options.sorted(by: { $0.key < $1.key }) {
                lua.push(value)
                lua.setField(key)
            }
            lua.newTable(fieldCount: 1)
            lua_rawgeti(lua.L, fulcrum_host_registry_index(), lua_Integer(moduleReference))
            lua.setField("__index")
            lua_setmetatable(lua.L, -2)
            instanceReference = luaL_ref(lua.L, fulcrum_host_registry_index())

            self.context = context
            pushModuleFunction("init")
            guard lua.type(at: -1) == LUA_TFUNCTION else { lua.pop(); return }
            pushInstance()
            lua.withoutMemoryLimit { pushContext(context) }
            try lua.call(arguments: 2, results: 0)
        } catch let failure as LuaState.Failure {
            throw LuaPolicyError(policy: name, phase: .initialisation, message: failure.message, traceback: failure.traceback)
        }
    }

    public func weights(for signals: StepSignals) throws -> TaskWeights {
        let top = lua_gettop(lua.L)
        defer { lua_settop(lua.L, top) }
        let keys = top + 1
        do {
            lua.withoutMemoryLimit {
                signalsTable.pushKeys(into: lua)
                lua_rawgeti(lua.L, fulcrum_host_registry_index(), lua_Integer(weightsReference))
                pushInstance()
                signalsTable.push(signals, keys: keys, into: lua)
            }
            try lua.call(arguments: 2, results: 1)
        } catch let failure as LuaState.Failure {
            throw LuaPolicyError(policy: name, phase: .weights(step: signals.step), message: failure.message, traceback: failure.traceback)
        }
        // The fast path reads an answer of the right shape in C; anything else is diagnosed by `readAnswer`.
        let weights: TaskWeights
        switch fulcrum_host_read_answer(lua.L, keys, answerBuffer.baseAddress, Int32(taskCount)) {
        case 1: weights = TaskWeights(Array(answerBuffer[0..<taskCount]))
        case 2: weights = TaskWeights(shared: Array(answerBuffer[0..<taskCount]), heads: Array(answerBuffer[taskCount..<2 * taskCount]))
        default:
            do {
                weights = try lua.withoutMemoryLimit { () throws(AnswerProblem) -> TaskWeights in try readAnswer() }
            } catch {
                throw LuaPolicyError(policy: name, phase: .weights(step: signals.step), message: "\(file):\(weightsLine): \(error.text)")
            }
        }
        // The trainer's rule decides which numbers are weights; the message adds the policy's line and its array.
        let exampleCount = signals.exampleLoss?.first?.count
        if var problem = weights.problem(taskCount: taskCount, exampleCount: exampleCount) {
            let split = lua.withoutMemoryLimit { () -> Bool in
                lua.rawField("shared", of: -1)
                defer { lua.pop() }
                return lua_type(lua.L, -1) != LUA_TNIL
            }
            problem = weights.problem(taskCount: taskCount, split: split, exampleCount: exampleCount) ?? problem
            let array = lua.withoutMemoryLimit { () -> String in
                let pushed = pushAnswerArray(named: problem.form)
                defer { lua.pop(pushed) }
                return describeArray(lua_absindex(lua.L, -1), count: Int(lua_rawlen(lua.L, -1)))
            }
            throw LuaPolicyError(policy: name, phase: .weights(step: signals.step), message: "\(file):\(weightsLine): \(problem): \(array)")
        }
        return weights
    }

    public func takeOutput() throws -> PolicyOutput { lua.withoutMemoryLimit { lua.takeOutput() } }

    /// Calls `P:finish(ctx, result)` after the run (a policy that remembers only; nil otherwise, and
    /// when finish returns nil) and returns what it wants remembered.
    public func finish(_ result: PolicyRunResult) throws -> MemoryValue? {
        guard remembers, let context else { return nil }
        let top = lua_gettop(lua.L)
        defer { lua_settop(lua.L, top) }
        do {
            pushModuleFunction("finish")
            pushInstance()
            lua.withoutMemoryLimit {
                pushContext(context)
                pushResult(result)
            }
            try lua.call(arguments: 3, results: 1)
        } catch let failure as LuaState.Failure {
            throw LuaPolicyError(policy: name, phase: .finish, message: failure.message, traceback: failure.traceback)
        }
        if lua.type(at: -1) == LUA_TNIL { return nil }
        let value: MemoryValue
        do {
            value = try lua.withoutMemoryLimit { () throws(MemoryProblem) -> MemoryValue in try lua.memoryValue(at: -1, path: "finish's answer") }
        } catch {
            throw LuaPolicyError(policy: name, phase: .finish, message: "\(file):\(finishLine): \(error.text)")
        }
        let bytes = value.json.utf8.count
        guard bytes <= Self.memoryByteLimit else {
            throw LuaPolicyError(policy: name, phase: .finish,
                                 message: "\(file):\(finishLine): finish's answer is \(bytes) bytes as JSON, more than the \(Self.memoryByteLimit) a run may remember")
        }
        return value
    }

    /// The most a run may remember, as JSON text.
    public static let memoryByteLimit = 1 << 20

    // MARK: Marshalling

    private func pushModuleFunction(_ key: StaticString) {
        lua_rawgeti(lua.L, fulcrum_host_registry_index(), lua_Integer(moduleReference))
        lua.rawField(key, of: -1)
        lua_rotate(lua.L, -2, 1)
        lua.pop()
    }

    private func pushInstance() {
        lua_rawgeti(lua.L, fulcrum_host_registry_index(), lua_Integer(instanceReference ?? LUA_REFNIL))
    }

    private func pushContext(_ context: PolicyContext) {
        lua.newTable(fieldCount: 6)
        lua.push(context.tasks); lua.setField("tasks")
        lua.push(context.taskKinds); lua.setField("kinds")
        lua.newTable(fieldCount: options.count)
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { lua.push(value); lua.setField(key) }
        lua.setField("options")
        lua.push(context.totalSteps); lua.setField("total_steps")
        lua.push(context.stepsPerEpoch); lua.setField("steps_per_epoch")
        lua.push(Int(truncatingIfNeeded: context.seed)); lua.setField("seed")
        if remembers {
            lua.pushFrozen(memory.records); lua.setField("memory")
            lua.push(memory.generation); lua.setField("generation")
            lua.push(memory.generations); lua.setField("generations")
        }
    }

    /// `result` of `P:finish`: steps, diverged (and diverged_step), and the last validation
    /// evaluation (val_step, val_kpi[t], val_loss[t]) when there was one.
    private func pushResult(_ result: PolicyRunResult) {
        lua.newTable(fieldCount: 6)
        lua.push(result.steps); lua.setField("steps")
        lua.push(result.divergedStep != nil); lua.setField("diverged")
        if let step = result.divergedStep { lua.push(step); lua.setField("diverged_step") }
        if let validation = result.validation {
            lua.push(validation.step); lua.setField("val_step")
            lua.push(.list(validation.kpi.map(SettingValue.number))); lua.setField("val_kpi")
            lua.push(.list(validation.loss.map(SettingValue.number))); lua.setField("val_loss")
        }
    }


    // MARK: Checking the answer

    /// `{1.0, -0.5, a string}`: the offending answer as the message shows it (at most 10 entries).
    private func describeArray(_ table: Int32, count: Int) -> String {
        let shown = (0..<min(count, 10)).map { i -> String in
            lua_rawgeti(lua.L, table, lua_Integer(i + 1))
            defer { lua.pop() }
            return lua.number(at: -1).map { String($0) } ?? "a \(lua.typeName(at: -1))"
        }
        return "{" + shown.joined(separator: ", ") + (count > 10 ? ", …" : "") + "}"
    }

    /// Pushes the answer's array that `form` names (`weights`: the answer itself, `shared`, `heads`,
    /// `examples`, `examples[t]`); returns how many values it pushed.
    private func pushAnswerArray(named form: String) -> Int32 {
        if form == "weights" { return 0 }
        if form.hasPrefix("examples[") {
            lua.rawField("examples", of: -1)
            let task = Int(form.dropFirst("examples[".count).dropLast()) ?? 0
            lua_rawgeti(lua.L, -1, lua_Integer(task))
            return 2
        }
        lua.rawField(form == "shared" ? "shared" : form == "heads" ? "heads" : "examples", of: -1)
        return 1
    }

    private struct AnswerProblem: Error { let text: String }

    /// The answer's shape: an array of T numbers, or `{ shared = {…}, heads = {…} }` (their values are
    /// checked by the trainer's rule, `TaskWeights.problem`).
    private func readAnswer() throws(AnswerProblem) -> TaskWeights {
        guard lua.type(at: -1) == LUA_TTABLE else {
            throw AnswerProblem(text: "weights returned a \(lua.typeName(at: -1)), expected an array of \(taskCount) numbers (one per task)")
        }
        let examples = try readExamples()
        lua.rawField("shared", of: -1)
        let isSplit = lua.type(at: -1) != LUA_TNIL
        if isSplit {
            let shared = try readWeights(at: -1, label: "shared")
            lua.pop()
            lua.rawField("heads", of: -1)
            let heads = try readWeights(at: -1, label: "heads")
            lua.pop()
            return TaskWeights(shared: shared, heads: heads, examples: examples)
        }
        lua.pop()
        return TaskWeights(try readWeights(at: -1, label: "weights"), examples: examples)
    }

    /// `examples = { [t] = {v_1, …, v_B} }`: nil for a task keeps its plain mean; the array lengths are
    /// checked against the batch by the trainer's rule.
    private func readExamples() throws(AnswerProblem) -> [[Double]?]? {
        lua.rawField("examples", of: -1)
        defer { lua.pop() }
        if lua.type(at: -1) == LUA_TNIL { return nil }
        guard lua.type(at: -1) == LUA_TTABLE else {
            throw AnswerProblem(text: "examples is a \(lua.typeName(at: -1)), expected a table of \(taskCount) arrays (one per task; nil keeps a task's mean)")
        }
        let given = Int(lua_rawlen(lua.L, -1))
        guard given <= taskCount else {
            throw AnswerProblem(text: "examples has \(given) entries, expected at most \(taskCount) (one per task)")
        }
        var examples: [[Double]?] = []
        for task in 1...max(taskCount, 1) where taskCount > 0 {
            lua_rawgeti(lua.L, -1, lua_Integer(task))
            defer { lua.pop() }
            if lua.type(at: -1) == LUA_TNIL { examples.append(nil); continue }
            let label = "examples[\(task)]"
            guard lua.type(at: -1) == LUA_TTABLE else {
                throw AnswerProblem(text: "\(label) is a \(lua.typeName(at: -1)), expected an array of numbers ≥ 0 (one per example in the batch)")
            }
            let table = lua_absindex(lua.L, -1)
            examples.append(try readNumbers(table, count: Int(lua_rawlen(lua.L, table)), label: label, expected: "a finite number ≥ 0"))
        }
        return examples
    }

    /// Entries 1…count of the array at `table`, each a number (its validity is the trainer's rule).
    private func readNumbers(_ table: Int32, count: Int, label: String, expected: String) throws(AnswerProblem) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count)
        for i in 1...max(count, 1) where count > 0 {
            lua_rawgeti(lua.L, table, lua_Integer(i))
            defer { lua.pop() }
            guard let value = lua.number(at: -1) else {
                throw AnswerProblem(text: "\(label)[\(i)] is a \(lua.typeName(at: -1)), expected \(expected): \(describeArray(table, count: count))")
            }
            values.append(value)
        }
        return values
    }

    private func readWeights(at index: Int32, label: String) throws(AnswerProblem) -> [Double] {
        guard lua.type(at: index) == LUA_TTABLE else {
            throw AnswerProblem(text: "\(label) is a \(lua.typeName(at: index)), expected an array of \(taskCount) numbers (one per task)")
        }
        let table = lua_absindex(lua.L, index)
        let count = Int(lua_rawlen(lua.L, table))
        guard count == taskCount else {
            throw AnswerProblem(text: "\(label) has \(count) entries, expected \(taskCount) (one per task): \(describeArray(table, count: count))")
        }
        return try readNumbers(table, count: count, label: label, expected: WeightProblem.expectation(label))
    }
}
