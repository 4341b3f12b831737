// The per-step hot path of a policy call, in C: refill the `s` table in place from flat arrays and
// read the answer back. Done from Swift it cost about three times the bare Lua call (each API call
// crossed the Swift/C boundary with retains and bounds checks); here a step is a handful of loops.
// Every write is raw, so nothing a policy did to `s` (a metatable, say) runs while the host fills it.
#include <lua.h>
#include <math.h>

// One step's signals as flat arrays; NULL marks a signal absent this step. Matrices are row-major
// tasks × tasks.
typedef struct {
    long long step, epoch;
    double progress, lr;
    int tasks;
    const double *loss, *initial_loss, *weights, *kpi, *val_kpi, *val_loss, *grad_norm;
    const double *gram, *rep_gram;
} fulcrum_lua_signals;

// The keys of `s`, interned once per state in a table the host keeps (`fulcrum_lua_make_keys`):
// pushing one is an array read, where lua_pushstring would hash or compare the text every step.
enum {
    FULCRUM_KEY_STEP = 1, FULCRUM_KEY_EPOCH, FULCRUM_KEY_PROGRESS, FULCRUM_KEY_LR, FULCRUM_KEY_TASKS,
    FULCRUM_KEY_LOSS, FULCRUM_KEY_INITIAL_LOSS, FULCRUM_KEY_WEIGHTS, FULCRUM_KEY_KPI, FULCRUM_KEY_VAL_KPI,
    FULCRUM_KEY_VAL_LOSS, FULCRUM_KEY_GRAD_NORM, FULCRUM_KEY_GRAM, FULCRUM_KEY_REP_GRAM, FULCRUM_KEY_SHARED,
    FULCRUM_KEY_HEADS, FULCRUM_KEY_COUNT = FULCRUM_KEY_HEADS
};

// Pushes the table of keys, in the order of the enum.
static inline void fulcrum_lua_make_keys(lua_State *L) {
    static const char *const names[] = {
        "step", "epoch", "progress", "lr", "tasks", "loss", "initial_loss", "weights", "kpi", "val_kpi",
        "val_loss", "grad_norm", "gram", "rep_gram", "shared", "heads",
    };
    lua_createtable(L, FULCRUM_KEY_COUNT, 0);
    for (int i = 0; i < FULCRUM_KEY_COUNT; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

// Leaves s[key] on the stack, replaced by a fresh array of n entries when it is not a table of
// length n any more (the policy may have replaced or resized it). Returns 1 if it was replaced.
static inline int fulcrum_lua_array_field(lua_State *L, int s, int keys, int key, int n) {
    lua_rawgeti(L, keys, key);
    lua_rawget(L, s);
    if (lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == (lua_Unsigned)n) return 0;
    lua_pop(L, 1);
    lua_rawgeti(L, keys, key);
    lua_createtable(L, n, 0);
    lua_pushvalue(L, -1);
    lua_insert(L, -3);  // stack: array, key, array
    lua_rawset(L, s);
    return 1;
}

static inline void fulcrum_lua_fill_array(lua_State *L, int array, const double *values, int n) {
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, values[i]);
        lua_rawseti(L, array, i + 1);
    }
}

static inline void fulcrum_lua_fill_numbers(lua_State *L, int s, int keys, int key, const double *values, int n) {
    if (values == NULL) return;
    fulcrum_lua_array_field(L, s, keys, key, n);
    fulcrum_lua_fill_array(L, lua_gettop(L), values, n);
    lua_pop(L, 1);
}

static inline void fulcrum_lua_fill_matrix(lua_State *L, int s, int keys, int key, const double *values, int n) {
    if (values == NULL) return;
    fulcrum_lua_array_field(L, s, keys, key, n);
    int rows = lua_gettop(L);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, rows, i + 1);
        if (!(lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == (lua_Unsigned)n)) {
            lua_pop(L, 1);
            lua_createtable(L, n, 0);
            lua_pushvalue(L, -1);
            lua_rawseti(L, rows, i + 1);
        }
        fulcrum_lua_fill_array(L, lua_gettop(L), values + (size_t)i * n, n);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static inline void fulcrum_lua_set_number(lua_State *L, int s, int keys, int key, double value) {
    lua_rawgeti(L, keys, key);
    lua_pushnumber(L, value);
    lua_rawset(L, s);
}

static inline void fulcrum_lua_set_integer(lua_State *L, int s, int keys, int key, long long value) {
    lua_rawgeti(L, keys, key);
    lua_pushinteger(L, (lua_Integer)value);
    lua_rawset(L, s);
}

// s.tasks is the host's table of task names `names` itself; a policy that replaced it gets it back.
// (Checking the names one by one every step would cost as much as the rest of the refill; the
// names are also in ctx.tasks, and policies do not write into s.)
static inline void fulcrum_lua_check_tasks(lua_State *L, int s, int keys, int names) {
    lua_rawgeti(L, keys, FULCRUM_KEY_TASKS);
    lua_rawget(L, s);
    int intact = lua_rawequal(L, -1, names);
    lua_pop(L, 1);
    if (intact) return;
    lua_rawgeti(L, keys, FULCRUM_KEY_TASKS);
    lua_pushvalue(L, names);
    lua_rawset(L, s);
}

// Fills the table at stack index `s` with every signal present (the keys table is at `keys`, the
// host's table of task names at `names`).
static inline void fulcrum_lua_fill_signals(lua_State *L, int s, int keys, int names, const fulcrum_lua_signals *signals) {
    int n = signals->tasks;
    fulcrum_lua_set_integer(L, s, keys, FULCRUM_KEY_STEP, signals->step);
    fulcrum_lua_set_integer(L, s, keys, FULCRUM_KEY_EPOCH, signals->epoch);
    fulcrum_lua_set_number(L, s, keys, FULCRUM_KEY_PROGRESS, signals->progress);
    fulcrum_lua_set_number(L, s, keys, FULCRUM_KEY_LR, signals->lr);
    fulcrum_lua_check_tasks(L, s, keys, names);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_LOSS, signals->loss, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_INITIAL_LOSS, signals->initial_loss, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_WEIGHTS, signals->weights, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_KPI, signals->kpi, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_VAL_KPI, signals->val_kpi, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_VAL_LOSS, signals->val_loss, n);
    fulcrum_lua_fill_numbers(L, s, keys, FULCRUM_KEY_GRAD_NORM, signals->grad_norm, n);
    fulcrum_lua_fill_matrix(L, s, keys, FULCRUM_KEY_GRAM, signals->gram, n);
    fulcrum_lua_fill_matrix(L, s, keys, FULCRUM_KEY_REP_GRAM, signals->rep_gram, n);
}

// Reads n weights from the array at `index` into `out`: 1 if every entry is a finite number ≥ 0.
static inline int fulcrum_lua_read_weights(lua_State *L, int index, double *out, int n) {
    if (lua_type(L, index) != LUA_TTABLE || lua_rawlen(L, index) != (lua_Unsigned)n) return 0;
    for (int i = 0; i < n; i++) {
        int type = lua_rawgeti(L, index, i + 1);
        double value = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (type != LUA_TNUMBER || !isfinite(value) || value < 0) return 0;
        out[i] = value;
    }
    return 1;
}

// Reads the answer on top of the stack (the keys table at `keys`): 1 for an array of n weights (into out[0..n)), 2 for
// `{shared = …, heads = …}` (into out[0..n) and out[n..2n)), 0 when it is malformed — the caller
// then diagnoses it, on the slow path.
static inline int fulcrum_lua_read_answer(lua_State *L, int keys, double *out, int n) {
    int answer = lua_gettop(L);
    if (lua_type(L, answer) != LUA_TTABLE) return 0;
    lua_rawgeti(L, keys, FULCRUM_KEY_SHARED);
    if (lua_rawget(L, answer) == LUA_TNIL) {
        lua_pop(L, 1);
        return fulcrum_lua_read_weights(L, answer, out, n);
    }
    int shared = fulcrum_lua_read_weights(L, -1, out, n);
    lua_pop(L, 1);
    lua_rawgeti(L, keys, FULCRUM_KEY_HEADS);
    lua_rawget(L, answer);
    int heads = fulcrum_lua_read_weights(L, -1, out + n, n);
    lua_pop(L, 1);
    return shared && heads ? 2 : 0;
}
