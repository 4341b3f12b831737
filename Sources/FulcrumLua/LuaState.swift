import CFulcrumHost
import CLua
import FulcrumCore
import Foundation

/// One Lua interpreter with the policy sandbox: only base, string, table, math and utf8 are opened;
/// `dofile`/`loadfile` are removed and `load` takes text chunks only. Chunks are named `@path` so
/// every message reads `path:line:`. This file and its siblings are the only users of the Lua C API.
final class LuaState {
    let L: OpaquePointer

    /// A failed protected call: the message (with `file:line:`) and the traceback below it.
    struct Failure: Error {
        let message: String
        let traceback: String?
    }

    let limits: LuaLimits
    private let memory: UnsafeMutablePointer<fulcrum_host_memory>
    private let watchdog: OpaquePointer?
    /// Host-side functions the prelude returns: the original `math.randomseed` (policies cannot
    /// reseed), the setter of `require`'s library folder, and the tables `log` and `print` fill.
    private var randomSeedReference: Int32 = LUA_NOREF
    private var libraryDirectoryReference: Int32 = LUA_NOREF
    private var logsReference: Int32 = LUA_NOREF
    private var printedReference: Int32 = LUA_NOREF

    init(limits: LuaLimits = LuaLimits()) throws {
        self.limits = limits
        memory = .allocate(capacity: 1)
        memory.initialize(to: fulcrum_host_memory(used: 0, limit: 0))
        guard let state = lua_newstate(fulcrum_host_allocate, memory) else {
            memory.deallocate()
            throw Failure(message: "cannot create a Lua state (out of memory)", traceback: nil)
        }
        L = state
        if limits.milliseconds > 0 {
            guard let watch = fulcrum_host_watchdog_start(state, Int64(limits.milliseconds)) else {
                lua_close(state)
                memory.deallocate()
                throw Failure(message: "cannot start the policy's time-limit watchdog", traceback: nil)
            }
            watchdog = watch
        } else {
            watchdog = nil
        }
        let libraries: [(String, lua_CFunction)] = [
            ("_G", luaopen_base), ("string", luaopen_string), ("table", luaopen_table),
            ("math", luaopen_math), ("utf8", luaopen_utf8),
        ]
        for (name, open) in libraries {
            luaL_requiref(L, name, open, 1)
            fulcrum_host_pop(L, 1)
        }
        lua_pushcclosure(L, fulcrum_host_traceback, 0)  // stack index 1: the message handler of every call
        try loadChunk(Data(Self.sandboxPrelude.utf8), name: "=sandbox")
        lua_pushcclosure(L, fulcrum_host_read_file, 0)
        try call(arguments: 1, results: 4)
        printedReference = luaL_ref(L, fulcrum_host_registry_index())
        logsReference = luaL_ref(L, fulcrum_host_registry_index())
        libraryDirectoryReference = luaL_ref(L, fulcrum_host_registry_index())
        randomSeedReference = luaL_ref(L, fulcrum_host_registry_index())
        // The limit applies to the policy, not to the libraries and the prelude.
        memory.pointee.limit = limits.memoryBytes
    }

    deinit {
        if let watchdog {
            fulcrum_host_watchdog_stop(watchdog)
        }
        lua_close(L)
        memory.deallocate()
    }

    /// Removes what a policy must not reach, adds `require` (policies/lib only), `load_policy` (the
    /// policy files beside it, for combinators), `log` and `print`
    /// (collected for the run log), and makes globals strict: reading or assigning a global that does
    /// not exist is an error naming it (policies keep their state in `self` or in locals).
    private static let sandboxPrelude = """
        local readFile = ...
        dofile, loadfile, collectgarbage = nil, nil, nil
        local textOnlyLoad = load
        load = function(chunk, chunkname, _, env) return textOnlyLoad(chunk, chunkname, "t", env) end
        local seed = math.randomseed
        math.randomseed = function()
          error("math.randomseed is disabled: math.random is seeded from the run's seed", 2)
        end
        random = math.random

        local libraryDirectory, loaded = nil, {}
        require = function(name)
          local valid = type(name) == "string" and name ~= ""
          if valid then
            for segment in (name .. "."):gmatch("(.-)%.") do
              if not segment:match("^[%a_][%w_]*$") then valid = false end
            end
          end
          if not valid then error("require: '" .. tostring(name) .. "' is not a module name like 'simplex' or 'solvers.minnorm'", 2) end
          if loaded[name] ~= nil then return loaded[name] end
          if not libraryDirectory then error("require '" .. name .. "': this policy has no library folder", 2) end
          local path = libraryDirectory .. "/" .. (name:gsub("%.", "/")) .. ".lua"
          local source, problem = readFile(path)
          if not source then error("require '" .. name .. "': " .. problem, 2) end
          local chunk, syntax = textOnlyLoad(source, "@" .. path, "t")
          if not chunk then error(syntax, 0) end
          local value = chunk(name)
          if value == nil then value = true end
          loaded[name] = value
          return value
        end

        -- A combinator's inner policies: policies/NAME.lua beside the policy, a fresh table each call.
        load_policy = function(name)
          if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
            error("load_policy: '" .. tostring(name) .. "' is not a policy name like 'dwa' (policies/dwa.lua)", 2)
          end
          if not libraryDirectory then error("load_policy '" .. name .. "': this policy has no folder", 2) end
          local path = libraryDirectory:match("^(.*)/[^/]*$") .. "/" .. name .. ".lua"
          local source, problem = readFile(path)
          if not source then error("load_policy '" .. name .. "': " .. problem, 2) end
          local chunk, syntax = textOnlyLoad(source, "@" .. path, "t")
          if not chunk then error(syntax, 0) end
          local policy = chunk()
          if type(policy) ~= "table" then error("load_policy '" .. name .. "': " .. path .. " does not return a policy table", 2) end
          return policy
        end

        local logs, printed = {}, {}
        log = function(name, value)
          if type(name) ~= "string" or type(value) ~= "number" or value ~= value or value == math.huge or value == -math.huge then
            error("log(name, value) needs a string name and a finite number", 2)
          end
          logs[#logs + 1] = name
          logs[#logs + 1] = value
        end
        print = function(...)
          local parts = table.pack(...)
          for i = 1, parts.n do parts[i] = tostring(parts[i]) end
          printed[#printed + 1] = table.concat(parts, "\t", 1, parts.n)
        end

        setmetatable(_G, {
          __metatable = "the global table is locked",
          __index = function(_, name) error("unknown global '" .. tostring(name) .. "'", 2) end,
          __newindex = function(_, name)
            error("assignment to undeclared global '" .. tostring(name) .. "' (use a local, or a field of self)", 2)
          end,
        })
        return seed, function(directory) libraryDirectory = directory end, logs, printed
        """

    /// Runs host-side marshalling (raw pushes into plain tables, outside any pcall) with the policy's
    /// memory ceiling lifted: those API calls can raise only memory errors, and a Lua error outside a
    /// protected call would have to unwind through Swift frames. The host's few tables are bounded.
    func withoutMemoryLimit<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let limit = memory.pointee.limit
        memory.pointee.limit = 0
        defer { memory.pointee.limit = limit }
        return try body()
    }

    /// Points `require` at `directory` (a policy's `policies/lib`).
    func setLibraryDirectory(_ directory: String) throws {
        lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(libraryDirectoryReference))
        _ = lua_pushstring(L, directory)
        try call(arguments: 1, results: 0)
    }

    /// The `log(name, value)` entries and `print` lines since the last call, read straight from the
    /// tables the prelude fills and emptied in place (no Lua call: this runs every step).
    func takeOutput() -> PolicyOutput {
        var output = PolicyOutput()
        lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(logsReference))
        let logs = lua_absindex(L, -1)
        let logCount = Int(lua_rawlen(L, logs))
        for i in stride(from: 1, to: logCount, by: 2) {
            lua_rawgeti(L, logs, lua_Integer(i))
            lua_rawgeti(L, logs, lua_Integer(i + 1))
            if let name = string(at: -2), let value = number(at: -1) { output.logs.append(PolicyLog(name: name, value: value)) }
            pop(2)
        }
        clear(logs, count: logCount)
        pop()
        lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(printedReference))
        let lines = lua_absindex(L, -1)
        let lineCount = Int(lua_rawlen(L, lines))
        for i in 0..<lineCount {
            lua_rawgeti(L, lines, lua_Integer(i + 1))
            if let line = string(at: -1) { output.lines.append(line) }
            pop()
        }
        clear(lines, count: lineCount)
        pop()
        return output
    }

    /// Sets t[count], …, t[1] to nil.
    private func clear(_ table: Int32, count: Int) {
        for i in stride(from: count, through: 1, by: -1) {
            lua_pushnil(L)
            lua_rawseti(L, table, lua_Integer(i))
        }
    }

    /// Seeds `math.random` (and `random`) for a run.
    func seedRandom(_ seed: UInt64) throws {
        lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(randomSeedReference))
        lua_pushinteger(L, lua_Integer(truncatingIfNeeded: seed))
        try call(arguments: 1, results: 0)
    }

    /// Compiles the file at `path` as a text chunk and pushes it as a function.
    func loadFile(_ path: String) throws {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "cannot read \(path): no such file or not readable", traceback: nil)
        }
        try setLibraryDirectory(((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib"))
        try loadChunk(contents, name: "@" + path)
    }

    private func loadChunk(_ bytes: Data, name: String) throws {
        let status = bytes.withUnsafeBytes { buffer in
            luaL_loadbufferx(L, buffer.bindMemory(to: CChar.self).baseAddress, buffer.count, name, "t")
        }
        guard status == LUA_OK else {
            let message = string(at: -1) ?? "cannot load chunk \(name)"
            fulcrum_host_pop(L, 1)
            throw Failure(message: message, traceback: nil)
        }
    }

    /// Calls the function below the top `arguments` values under `pcall` with a traceback handler,
    /// leaving `results` values on the stack. Lua errors never unwind through Swift frames.
    func call(arguments: Int32, results: Int32) throws {
        // The traceback handler sits at stack index 1 for the state's whole life (pushed in init),
        // so a call pushes nothing extra.
        if let watchdog { fulcrum_host_watchdog_begin(watchdog) }
        let status = fulcrum_host_pcall(L, arguments, results, 1)
        let timedOut = watchdog.map { fulcrum_host_watchdog_end($0) != 0 } ?? false
        guard status == LUA_OK else {
            let report = string(at: -1) ?? "unknown error"
            fulcrum_host_pop(L, 1)
            if timedOut {
                let failure = Self.failure(from: report)
                let timeLimit = "time limit of \(limits.milliseconds) ms exceeded"
                // The hook's message carries the line the policy was at; a message the policy made
                // of its own (having caught the first timeout error) is replaced by the limit's.
                throw failure.message.hasSuffix(timeLimit) ? failure : Failure(message: timeLimit, traceback: failure.traceback)
            }
            if status == LUA_ERRMEM && memory.pointee.limit != 0 {
                throw Failure(message: "memory limit of \(LuaLimits.describe(bytes: limits.memoryBytes)) exceeded", traceback: nil)
            }
            throw Self.failure(from: report)
        }
    }

    /// Splits `message\nstack traceback:\n…` into its two parts.
    private static func failure(from report: String) -> Failure {
        guard let range = report.range(of: "\nstack traceback:") else { return Failure(message: report, traceback: nil) }
        return Failure(message: String(report[..<range.lowerBound]),
                       traceback: String(report[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: Reading values

    func type(at index: Int32) -> Int32 { lua_type(L, index) }

    func typeName(at index: Int32) -> String { String(cString: lua_typename(L, lua_type(L, index))) }

    func string(at index: Int32) -> String? {
        guard lua_type(L, index) == LUA_TSTRING || lua_type(L, index) == LUA_TNUMBER,
              let pointer = lua_tolstring(L, index, nil) else { return nil }
        return String(cString: pointer)
    }

    func number(at index: Int32) -> Double? {
        var isNumber: Int32 = 0
        let value = lua_tonumberx(L, index, &isNumber)
        return isNumber != 0 && lua_type(L, index) == LUA_TNUMBER ? value : nil
    }

    func pop(_ count: Int32 = 1) { fulcrum_host_pop(L, count) }

    /// The line where the function at `index` is defined.
    func definitionLine(ofFunctionAt index: Int32) -> Int {
        var info = lua_Debug()
        lua_pushvalue(L, index)
        lua_getinfo(L, ">S", &info)
        return Int(info.linedefined)
    }
}
