import CLua
import FulcrumCore

/// The `s` table of the policy API, built once per run and refilled in place every step: a policy
/// call then allocates nothing for its inputs. Policies must copy what they keep (`s` and its arrays
/// change under them at the next step); DESIGN's API and policies/lib/fulcrum.d.lua say so.
/// Every write is raw, so nothing a policy did to `s` (a metatable, say) runs during marshalling.
struct SignalsTable {
    private var reference: Int32 = LUA_NOREF

    /// Pushes `s` filled with `signals`.
    mutating func push(_ signals: StepSignals, into lua: LuaState) {
        let L = lua.L
        if reference != LUA_NOREF {
            lua_rawgeti(L, fulcrum_lua_registryindex(), lua_Integer(reference))
            if lua.type(at: -1) == LUA_TTABLE {
                fill(signals, lua)
                return
            }
            lua.pop()
            luaL_unref(L, fulcrum_lua_registryindex(), reference)
        }
        lua.newTable(fieldCount: 14)
        fill(signals, lua)
        lua_pushvalue(L, -1)
        reference = luaL_ref(L, fulcrum_lua_registryindex())
    }

    func release(from lua: LuaState) {
        if reference != LUA_NOREF { luaL_unref(lua.L, fulcrum_lua_registryindex(), reference) }
    }

    /// Fills the table on top of the stack.
    private func fill(_ s: StepSignals, _ lua: LuaState) {
        setScalar("step", Double(s.step), integer: true, lua)
        setScalar("epoch", Double(s.epoch), integer: true, lua)
        setScalar("progress", s.progress, integer: false, lua)
        setScalar("lr", s.learningRate, integer: false, lua)
        // Task names do not change during a run: an existing array of the right length stays.
        setArray("tasks", count: s.tasks.count, lua) { lua.push(s.tasks) } refill: { _ in }
        setNumbers("loss", s.loss, lua)
        setNumbers("initial_loss", s.initialLoss, lua)
        setNumbers("weights", s.weights, lua)
        setNumbers("kpi", s.kpi, lua)
        setNumbers("val_kpi", s.validationKPI, lua)
        setNumbers("val_loss", s.validationLoss, lua)
        setNumbers("grad_norm", s.gradientNorm, lua)
        setMatrix("gram", s.gram, lua)
        setMatrix("rep_gram", s.representationGram, lua)
    }

    private func setScalar(_ key: StaticString, _ value: Double, integer: Bool, _ lua: LuaState) {
        lua.push(key: key)
        if integer { lua.push(Int(value)) } else { lua.push(value) }
        lua_rawset(lua.L, -3)
    }

    private func setNumbers(_ key: StaticString, _ values: [Double]?, _ lua: LuaState) {
        guard let values else { return }
        setArray(key, count: values.count, lua) { lua.push(values) } refill: { table in
            for (i, value) in values.enumerated() { lua_pushnumber(lua.L, value); lua_rawseti(lua.L, table, lua_Integer(i + 1)) }
        }
    }

    private func setMatrix(_ key: StaticString, _ rows: [[Double]]?, _ lua: LuaState) {
        guard let rows else { return }
        setArray(key, count: rows.count, lua) { lua.push(matrix: rows) } refill: { table in
            for (i, row) in rows.enumerated() {
                lua_rawgeti(lua.L, table, lua_Integer(i + 1))
                if lua.type(at: -1) == LUA_TTABLE && Int(lua_rawlen(lua.L, -1)) == row.count {
                    let rowTable = lua_absindex(lua.L, -1)
                    for (j, value) in row.enumerated() { lua_pushnumber(lua.L, value); lua_rawseti(lua.L, rowTable, lua_Integer(j + 1)) }
                    lua.pop()
                } else {
                    lua.pop()
                    lua.push(row)
                    lua_rawseti(lua.L, table, lua_Integer(i + 1))
                }
            }
        }
    }

    /// Refills `s[key]` in place when it is still an array of the right length, else replaces it.
    private func setArray(_ key: StaticString, count: Int, _ lua: LuaState, fresh: () -> Void, refill: (Int32) -> Void) {
        lua.push(key: key)
        lua_rawget(lua.L, -2)
        if lua.type(at: -1) == LUA_TTABLE && Int(lua_rawlen(lua.L, -1)) == count {
            refill(lua_absindex(lua.L, -1))
            lua.pop()
            return
        }
        lua.pop()
        lua.push(key: key)
        fresh()
        lua_rawset(lua.L, -3)
    }
}
