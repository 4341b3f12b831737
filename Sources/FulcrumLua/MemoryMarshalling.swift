import CFulcrumHost
import CLua

/// Why a value returned by `P:finish` cannot be remembered: the path to the offending part and what was expected.
struct MemoryProblem: Error {
    let text: String
}

// `MemoryValue`s into Lua (as ctx.memory's records) and back (what `P:finish` returns).
extension LuaState {
    /// Deeper than this, a returned table is refused (it is most likely a cycle).
    static let memoryDepthLimit = 32
    /// More entries than this in all, a returned value is refused: memory is a summary, not a log.
    static let memoryEntryLimit = 100_000

    func push(_ value: MemoryValue) {
        // Each level of a nested value holds two slots while its children are pushed.
        _ = lua_checkstack(L, 4)
        switch value {
        case let .number(number):
            if number == number.rounded(), abs(number) < 0x1p53 { push(Int(number)) } else { push(number) }
        case let .boolean(flag): push(flag)
        case let .string(text): push(text)
        case let .array(values):
            newTable(arrayCount: values.count)
            for (i, element) in values.enumerated() {
                push(element)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case let .object(fields):
            newTable(fieldCount: fields.count)
            for (key, element) in fields.sorted(by: { $0.key < $1.key }) {
                push(element)
                setField(key)
            }
        }
    }

    /// ctx.memory: the records as an array of `{generation, seed, run, value}`, read-only all the way down.
    func pushFrozen(_ records: [MemoryRecord]) {
        newTable(arrayCount: records.count)
        for (i, record) in records.enumerated() {
            newTable(fieldCount: 4)
            push(record.generation); setField("generation")
            push(Int(truncatingIfNeeded: record.seed)); setField("seed")
            push(record.run); setField("run")
            push(record.value); setField("value")
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        fulcrum_host_freeze(L, -1, "ctx.memory")
    }

    /// The value at `index` as a `MemoryValue`; `path` names it in messages (e.g. `finish's answer.params[2]`).
    func memoryValue(at index: Int32, path: String) throws(MemoryProblem) -> MemoryValue {
        var entries = 0
        return try memoryValue(at: lua_absindex(L, index), path: path, depth: 0, entries: &entries)
    }

    private func memoryValue(at index: Int32, path: String, depth: Int, entries: inout Int) throws(MemoryProblem) -> MemoryValue {
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            let value = number(at: index) ?? .nan
            guard value.isFinite else {
                let shown = value.isNaN ? "NaN" : value > 0 ? "inf" : "-inf"
                throw MemoryProblem(text: "\(path) is \(shown), expected a finite number (memory is stored as JSON)")
            }
            return .number(value)
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TSTRING: return .string(string(at: index) ?? "")
        case LUA_TTABLE:
            guard depth < Self.memoryDepthLimit else {
                throw MemoryProblem(text: "\(path) nests tables more than \(Self.memoryDepthLimit) deep (a table that contains itself?)")
            }
            // Each level holds the table, a key and a value (and a metatable while it looks).
            guard lua_checkstack(L, 6) != 0 else { throw MemoryProblem(text: "\(path): no room on the Lua stack to read it") }
            let table = tableBehindReadOnlyView(index)
            defer { pop() }
            return try tableValue(at: table, path: path, depth: depth, entries: &entries)
        default:
            throw MemoryProblem(text: "\(path) is a \(typeName(at: index)), expected a number, boolean, string or table")
        }
    }

    /// Pushes the table at `index`, or the table behind it when it is a read-only view (ctx.memory's).
    private func tableBehindReadOnlyView(_ index: Int32) -> Int32 {
        if lua_getmetatable(L, index) != 0 {
            rawField("__metatable", of: -1)
            let isView = string(at: -1) == FULCRUM_HOST_READ_ONLY
            pop()
            if isView {
                rawField("__index", of: -1)
                lua_rotate(L, -2, 1)
                pop()
                return lua_absindex(L, -1)
            }
            pop()
        }
        lua_pushvalue(L, index)
        return lua_absindex(L, -1)
    }

    private func tableValue(at table: Int32, path: String, depth: Int, entries: inout Int) throws(MemoryProblem) -> MemoryValue {
        var fields: [String: MemoryValue] = [:]
        var elements: [Int: MemoryValue] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            entries += 1
            guard entries <= Self.memoryEntryLimit else {
                pop(2)
                throw MemoryProblem(text: "\(path) has more than \(Self.memoryEntryLimit) entries in all; remember a summary")
            }
            let element: MemoryValue
            if lua_type(L, -2) == LUA_TSTRING, let key = string(at: -2) {
                do { element = try memoryValue(at: -1, path: "\(path).\(key)", depth: depth + 1, entries: &entries) } catch { pop(2); throw error }
                fields[key] = element
            } else if lua_isinteger(L, -2) != 0, case let key = Int(lua_tointegerx(L, -2, nil)), key >= 1 {
                do { element = try memoryValue(at: -1, path: "\(path)[\(key)]", depth: depth + 1, entries: &entries) } catch { pop(2); throw error }
                elements[key] = element
            } else {
                let key = string(at: -2) ?? "a \(typeName(at: -2))"
                pop(2)
                throw MemoryProblem(text: "\(path) has the key \(key); expected string keys or array indices 1, 2, …")
            }
            pop()
        }
        if !fields.isEmpty && !elements.isEmpty {
            throw MemoryProblem(text: "\(path) mixes string keys and array indices; expected one or the other (it is stored as JSON)")
        }
        if elements.isEmpty { return .object(fields) }
        guard elements.count == elements.keys.max() else {
            throw MemoryProblem(text: "\(path) is an array with holes (indices up to \(elements.keys.max() ?? 0), \(elements.count) values); expected 1, 2, …, n")
        }
        return .array((1...elements.count).map { elements[$0]! })
    }
}
