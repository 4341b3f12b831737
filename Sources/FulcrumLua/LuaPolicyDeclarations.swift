import CLua
import FulcrumCore

// Reading and checking what a policy table declares: its `needs` and its `defaults`.
extension LuaPolicy {
    /// The `needs` array; nil when `needs` is a function of the options (a combinator's), which
    /// `computeNeeds` calls once the options are merged.
    static func readNeeds(_ lua: LuaState, file: String) throws -> Set<PolicySignal>? {
        lua.rawField("needs", of: -1)
        defer { lua.pop() }
        if lua.type(at: -1) == LUA_TNIL { return [] }
        if lua.type(at: -1) == LUA_TFUNCTION { return nil }
        return try needs(from: lua, file: file)
    }

    /// `needs(options)` of the policy table on top of the stack: the signals it returns.
    static func computeNeeds(_ lua: LuaState, file: String, options: [String: SettingValue]) throws -> Set<PolicySignal> {
        lua.rawField("needs", of: -1)
        lua.newTable(fieldCount: options.count)
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { lua.push(value); lua.setField(key) }
        do { try lua.call(arguments: 1, results: 1) } catch let failure as LuaState.Failure {
            throw LuaPolicyError(policy: file, phase: .load, message: failure.message, traceback: failure.traceback)
        }
        defer { lua.pop() }
        return try needs(from: lua, file: file)
    }

    /// The signal names in the array on top of the stack.
    private static func needs(from lua: LuaState, file: String) throws -> Set<PolicySignal> {
        let known = PolicySignal.allCases.map(\.rawValue).joined(separator: ", ")
        guard case let .list(values)? = lua.option(at: -1) else {
            throw LuaPolicyError(policy: file, phase: .load,
                                 message: "\(file): 'needs' must be an array of signal names (\(known))")
        }
        var needs: Set<PolicySignal> = []
        for value in values {
            guard case let .string(signalName) = value, let signal = PolicySignal(rawValue: signalName) else {
                throw LuaPolicyError(policy: file, phase: .load,
                                     message: "\(file): 'needs' names unknown signal \(value); known signals: \(known)")
            }
            needs.insert(signal)
        }
        return needs
    }

    /// `grad_norm_scope = "shared"` (default) or `"last_shared_layer"`.
    static func readGradientNormScope(_ lua: LuaState, file: String) throws -> GradientNormScope {
        lua.rawField("grad_norm_scope", of: -1)
        defer { lua.pop() }
        if lua.type(at: -1) == LUA_TNIL { return .sharedParameters }
        let valid = GradientNormScope.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
        guard lua.type(at: -1) == LUA_TSTRING, let scope = lua.string(at: -1).flatMap(GradientNormScope.init) else {
            throw LuaPolicyError(policy: file, phase: .load, message: "\(file): 'grad_norm_scope' must be \(valid)")
        }
        return scope
    }

    /// k of `val_align`: the option `val_align_every` (steps between measurements), which a policy
    /// that needs the signal declares in its defaults, so a manifest can set it like any option.
    static func validationAlignmentInterval(needs: Set<PolicySignal>, options: [String: SettingValue], file: String) throws -> Int {
        guard needs.contains(.validationAlignment) else { return 1 }
        guard case let .number(k)? = options["val_align_every"], k >= 1, k == k.rounded(), k <= Double(Int32.max) else {
            let found = options["val_align_every"].map { "got \($0)" } ?? "it declares none"
            throw LuaPolicyError(policy: file, phase: .load, message: "\(file): a policy that needs 'val_align' declares the option "
                                 + "'val_align_every' (steps between measurements, a whole number ≥ 1) in its defaults; \(found)")
        }
        return Int(k)
    }

    /// β and the log-loss switch of `grad_ema_gram`: the options `grad_ema_beta` (in [0, 1)) and
    /// `grad_ema_log` (a boolean), declared in the defaults of a policy that needs the signal.
    static func gradientHistory(needs: Set<PolicySignal>, options: [String: SettingValue], file: String) throws -> GradientHistorySettings {
        guard needs.contains(.gradientEMAGram) else { return GradientHistorySettings() }
        func problem(_ expected: String, _ key: String) -> LuaPolicyError {
            let found = options[key].map { "got \($0)" } ?? "it declares none"
            return LuaPolicyError(policy: file, phase: .load, message: "\(file): a policy that needs 'grad_ema_gram' declares the option "
                                  + "'\(key)' (\(expected)) in its defaults; \(found)")
        }
        guard case let .number(beta)? = options["grad_ema_beta"], beta >= 0, beta < 1 else {
            throw problem("the moving average's β, a number in [0, 1)", "grad_ema_beta")
        }
        guard case let .boolean(ofLogLoss)? = options["grad_ema_log"] else {
            throw problem("true to average ∇ log L_t instead of ∇L_t", "grad_ema_log")
        }
        return GradientHistorySettings(beta: beta, ofLogLoss: ofLogLoss)
    }

    static func readDefaults(_ lua: LuaState, file: String) throws -> [String: SettingValue] {
        lua.rawField("defaults", of: -1)
        defer { lua.pop() }
        if lua.type(at: -1) == LUA_TNIL { return [:] }
        guard lua.type(at: -1) == LUA_TTABLE else {
            throw LuaPolicyError(policy: file, phase: .load,
                                 message: "\(file): 'defaults' must be a table of option = value, got \(lua.typeName(at: -1))")
        }
        var defaults: [String: SettingValue] = [:]
        for entry in lua.stringKeyedEntries(of: -1, lua.option(at:)) {
            guard let key = entry.key else {
                throw LuaPolicyError(policy: file, phase: .load, message: "\(file): 'defaults' keys must be option names (strings)")
            }
            guard let value = entry.value else {
                throw LuaPolicyError(policy: file, phase: .load,
                                     message: "\(file): default of '\(key)' must be a number, boolean, string or array of those")
            }
            defaults[key] = value
        }
        return defaults
    }

    /// Manifest options over the defaults: every option must be declared, with the default's type.
    public static func merge(_ overrides: [String: SettingValue], over defaults: [String: SettingValue],
                      policy: String) throws -> [String: SettingValue] {
        var merged = defaults
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let declared = defaults[key] else {
                let valid = defaults.keys.sorted().joined(separator: ", ")
                throw LuaPolicyError(policy: policy, phase: .options,
                                     message: "unknown option '\(key)'; valid options: \(valid.isEmpty ? "(none)" : valid)")
            }
            guard declared.typeName == value.typeName else {
                throw LuaPolicyError(policy: policy, phase: .options,
                                     message: "option '\(key)' must be a \(declared.typeName) like its default \(declared), got \(value.typeName) \(value)")
            }
            merged[key] = value
        }
        return merged
    }

    /// `memory = true` (false when absent) and the line of `P:finish`, which a policy that remembers
    /// must have and any other must not (it would never be called).
    static func readMemoryDeclaration(_ lua: LuaState, file: String) throws -> (remembers: Bool, finishLine: Int) {
        func loadError(_ message: String) -> LuaPolicyError { LuaPolicyError(policy: file, phase: .load, message: "\(file): \(message)") }
        lua.rawField("memory", of: -1)
        let memoryType = lua.type(at: -1), memoryTypeName = lua.typeName(at: -1)
        let remembers = memoryType == LUA_TBOOLEAN && lua_toboolean(lua.L, -1) != 0
        lua.pop()
        guard memoryType == LUA_TNIL || memoryType == LUA_TBOOLEAN else {
            throw loadError("'memory' must be true or false, got a \(memoryTypeName)")
        }
        lua.rawField("finish", of: -1)
        defer { lua.pop() }
        switch lua.type(at: -1) {
        case LUA_TNIL:
            guard !remembers else {
                throw loadError("memory = true needs a function 'finish' (function P:finish(ctx, result) … end) returning what to remember")
            }
            return (false, 0)
        case LUA_TFUNCTION:
            guard remembers else {
                throw loadError("'finish' is called only for a policy that remembers: declare memory = true, or remove finish")
            }
            return (true, lua.definitionLine(ofFunctionAt: -1))
        default:
            throw loadError("'finish' must be a function (function P:finish(ctx, result) … end), got \(lua.typeName(at: -1))")
        }
    }
}
