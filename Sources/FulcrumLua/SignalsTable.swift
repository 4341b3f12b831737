import CFulcrumHost
import CLua
import FulcrumCore

/// The `s` table of the policy API, built once per run and refilled in place every step: a policy
/// call then allocates nothing for its inputs. Policies must copy what they keep (`s` and its arrays
/// change under them at the next step); policies/README.md and policies/lib/fulcrum.d.lua say so.
/// The refill itself is C (`Sources/CFulcrumHost/signals.c`) reading a flat copy of the step's numbers.
final class SignalsTable {
    private var reference: Int32 = LUA_NOREF
    private var keysReference: Int32 = LUA_NOREF
    /// The host's table of task names: `s.tasks` is this table, put back if a policy replaces it.
    private var namesReference: Int32 = LUA_NOREF
    private var names: [String] = []
    /// Room for the ten per-task series, the three T×T matrices and T × B example losses, reused every step.
    private var scratch: UnsafeMutablePointer<Double>
    private var capacity: Int

    init() {
        capacity = 0
        scratch = .allocate(capacity: 0)
    }

    deinit { scratch.deallocate() }

    /// Pushes the table of `s`'s keys (`fulcrum_host_make_keys`), which `push` and the answer reader use.
    func pushKeys(into lua: LuaState) {
        if keysReference == LUA_NOREF {
            fulcrum_host_make_keys(lua.L)
            lua_pushvalue(lua.L, -1)
            keysReference = luaL_ref(lua.L, fulcrum_host_registry_index())
        } else {
            lua_rawgeti(lua.L, fulcrum_host_registry_index(), lua_Integer(keysReference))
        }
    }

    /// Pushes `s` filled with `signals`; `keys` is the stack index of the keys table.
    func push(_ signals: StepSignals, keys: Int32, into lua: LuaState) {
        let L = lua.L
        if reference != LUA_NOREF {
            lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(reference))
            if lua_type(L, -1) != LUA_TTABLE {
                lua.pop()
                luaL_unref(L, fulcrum_host_registry_index(), reference)
                reference = LUA_NOREF
            }
        }
        if reference == LUA_NOREF {
            lua.newTable(fieldCount: 14)
            lua_pushvalue(L, -1)
            reference = luaL_ref(L, fulcrum_host_registry_index())
        }
        let table = lua_gettop(L)
        if namesReference == LUA_NOREF || names != signals.tasks {
            if namesReference != LUA_NOREF { luaL_unref(L, fulcrum_host_registry_index(), namesReference) }
            names = signals.tasks
            lua.push(names)
            namesReference = luaL_ref(L, fulcrum_host_registry_index())
        }
        lua_rawgeti(L, fulcrum_host_registry_index(), lua_Integer(namesReference))
        var flat = flatten(signals)
        fulcrum_host_fill_signals(L, table, keys, table + 1, &flat)
        lua.pop()
    }

    func release(from lua: LuaState) {
        if reference != LUA_NOREF { luaL_unref(lua.L, fulcrum_host_registry_index(), reference) }
        if keysReference != LUA_NOREF { luaL_unref(lua.L, fulcrum_host_registry_index(), keysReference) }
        if namesReference != LUA_NOREF { luaL_unref(lua.L, fulcrum_host_registry_index(), namesReference) }
    }

    /// The step's numbers copied into `scratch`, with pointers to each present signal.
    private func flatten(_ s: StepSignals) -> fulcrum_host_signals {
        let n = s.tasks.count
        let examples = s.exampleLoss?.first?.count ?? 0
        let needed = 10 * n + 3 * n * n + n * examples   // ten series, three matrices, the example losses
        if needed > capacity {
            scratch.deallocate()
            scratch = .allocate(capacity: needed)
            capacity = needed
        }
        var next = scratch
        func copy(_ values: [Double]?) -> UnsafePointer<Double>? {
            guard let values, values.count == n, n > 0 else { return nil }
            let start = next
            values.withUnsafeBufferPointer { start.update(from: $0.baseAddress!, count: n) }
            next += n
            return UnsafePointer(start)
        }
        func copy(matrix rows: [[Double]]?, columns m: Int) -> UnsafePointer<Double>? {
            guard let rows, rows.count == n, m > 0, rows.allSatisfy({ $0.count == m }) else { return nil }
            let start = next
            for row in rows {
                row.withUnsafeBufferPointer { next.update(from: $0.baseAddress!, count: m) }
                next += m
            }
            return UnsafePointer(start)
        }
        return fulcrum_host_signals(
            step: Int64(s.step), epoch: Int64(s.epoch), progress: s.progress, lr: s.learningRate, tasks: Int32(n),
            examples: Int32(examples),
            loss: copy(s.loss), initial_loss: copy(s.initialLoss), weights: copy(s.weights), kpi: copy(s.kpi),
            val_kpi: copy(s.validationKPI), val_loss: copy(s.validationLoss), grad_norm: copy(s.gradientNorm),
            gram: copy(matrix: s.gram, columns: n), rep_gram: copy(matrix: s.representationGram, columns: n),
            example_loss: copy(matrix: s.exampleLoss, columns: examples),
            grad_ema_gram: copy(matrix: s.gradientEMAGram, columns: n), adagrad_norm2: copy(s.adagradNorm),
            prediction_gain: copy(s.predictionGain),
            val_align: copy(s.validationAlignment))
    }
}
