import CLua
import FulcrumCore

// Swift values to Lua and back. Arrays become 1-based Lua sequences; plain tables only, so no
// metamethod can run (and raise) while the host builds them.
extension LuaState {
    func push(_ value: Double) { lua_pushnumber(L, value) }
    func push(_ value: Int) { lua_pushinteger(L, lua_Integer(value)) }
    func push(_ value: String) { _ = lua_pushstring(L, value) }
    /// A literal key, pushed without building a C string (the hot path marshals a dozen per step).
    func push(key: StaticString) {
        key.withUTF8Buffer { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }
    func push(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }

    func push(_ values: [String]) {
        lua_createtable(L, Int32(values.count), 0)
        for (i, value) in values.enumerated() {
            _ = lua_pushstring(L, value)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }

    func push(_ option: SettingValue) {
        switch option {
        case let .number(value):
            if value == value.rounded(), abs(value) < 0x1p53 { push(Int(value)) } else { push(value) }
        case let .boolean(value): push(value)
        case let .string(value): push(value)
        case let .list(values):
            lua_createtable(L, Int32(values.count), 0)
            for (i, value) in values.enumerated() {
                push(value)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        }
    }

    /// Sets `table[key] = value on top` for the table at `tableIndex` (negative indices count before the push).
    func setField(_ key: String, at tableIndex: Int32 = -2) {
        lua_setfield(L, tableIndex, key)
    }

    func newTable(arrayCount: Int = 0, fieldCount: Int = 0) {
        lua_createtable(L, Int32(arrayCount), Int32(fieldCount))
    }

    /// Pushes `table[key]` (raw: no metamethods) for the table at `index`.
    func rawField(_ key: StaticString, of index: Int32) {
        let table = lua_absindex(L, index)
        push(key: key)
        lua_rawget(L, table)
    }

    /// The value at `index` as an option, if it is a number, boolean, string or a sequence of those.
    func option(at index: Int32) -> SettingValue? {
        switch lua_type(L, index) {
        case LUA_TNUMBER: return number(at: index).map(SettingValue.number)
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TSTRING: return string(at: index).map(SettingValue.string)
        case LUA_TTABLE:
            let table = lua_absindex(L, index)
            var values: [SettingValue] = []
            for i in 0..<Int(lua_rawlen(L, table)) {
                lua_rawgeti(L, table, lua_Integer(i + 1))
                defer { pop() }
                guard let value = option(at: -1) else { return nil }
                values.append(value)
            }
            return .list(values)
        default: return nil
        }
    }

    /// The string keys of the table at `index`, with the values read by `read` (nil: not convertible).
    func stringKeyedEntries<Value>(of index: Int32, _ read: (Int32) -> Value?) -> [(key: String?, value: Value?)] {
        let table = lua_absindex(L, index)
        var entries: [(key: String?, value: Value?)] = []
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            let key = lua_type(L, -2) == LUA_TSTRING ? string(at: -2) : nil
            entries.append((key, read(-1)))
            pop()
        }
        return entries
    }
}
