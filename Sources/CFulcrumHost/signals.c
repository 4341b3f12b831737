// The per-step hot path of a policy call: refill the `s` table in place from flat arrays. Done from
// Swift it cost about three times the bare Lua call (each API call crossed the Swift/C boundary with
// retains and bounds checks); here a step is a handful of loops.
#include <lua.h>
#include "CFulcrumHost.h"
#include "keys.h"

void fulcrum_host_make_keys(lua_State *L) {
    static const char *const names[] = {
        "step", "epoch", "progress", "lr", "tasks", "loss", "initial_loss", "weights", "kpi", "val_kpi",
        "val_loss", "grad_norm", "gram", "rep_gram", "example_loss", "val_align",
        "grad_ema_gram", "adagrad_norm2", "prediction_gain", "shared", "heads", "examples",
    };
    lua_createtable(L, KEY_COUNT, 0);
    for (int i = 0; i < KEY_COUNT; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

// Leaves s[key] on the stack, replaced by a fresh array of n entries when it is not a table of
// length n any more (the policy may have replaced or resized it).
static void array_field(lua_State *L, int s, int keys, int key, int n) {
    lua_rawgeti(L, keys, key);
    lua_rawget(L, s);
    if (lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == (lua_Unsigned)n) return;
    lua_pop(L, 1);
    lua_rawgeti(L, keys, key);
    lua_createtable(L, n, 0);
    lua_pushvalue(L, -1);
    lua_insert(L, -3);  // stack: array, key, array
    lua_rawset(L, s);
}

static void fill_array(lua_State *L, int array, const double *values, int n) {
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, values[i]);
        lua_rawseti(L, array, i + 1);
    }
}

static void fill_numbers(lua_State *L, int s, int keys, int key, const double *values, int n) {
    if (values == NULL) return;
    array_field(L, s, keys, key, n);
    fill_array(L, lua_gettop(L), values, n);
    lua_pop(L, 1);
}

// A row-major n × m matrix as an array of n arrays of m numbers.
static void fill_matrix(lua_State *L, int s, int keys, int key, const double *values, int n, int m) {
    if (values == NULL) return;
    array_field(L, s, keys, key, n);
    int rows = lua_gettop(L);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, rows, i + 1);
        if (!(lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == (lua_Unsigned)m)) {
            lua_pop(L, 1);
            lua_createtable(L, m, 0);
            lua_pushvalue(L, -1);
            lua_rawseti(L, rows, i + 1);
        }
        fill_array(L, lua_gettop(L), values + (size_t)i * m, m);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

// s[key] = nil: a signal measured only at some steps is absent at the others.
static void clear_field(lua_State *L, int s, int keys, int key) {
    lua_rawgeti(L, keys, key);
    lua_pushnil(L);
    lua_rawset(L, s);
}

static void set_number(lua_State *L, int s, int keys, int key, double value) {
    lua_rawgeti(L, keys, key);
    lua_pushnumber(L, value);
    lua_rawset(L, s);
}

static void set_integer(lua_State *L, int s, int keys, int key, long long value) {
    lua_rawgeti(L, keys, key);
    lua_pushinteger(L, (lua_Integer)value);
    lua_rawset(L, s);
}

// s.tasks is the host's table of task names `names` itself; a policy that replaced it gets it back.
// (Checking the names one by one every step would cost as much as the rest of the refill; the
// names are also in ctx.tasks, and policies do not write into s.)
static void check_tasks(lua_State *L, int s, int keys, int names) {
    lua_rawgeti(L, keys, KEY_TASKS);
    lua_rawget(L, s);
    int intact = lua_rawequal(L, -1, names);
    lua_pop(L, 1);
    if (intact) return;
    lua_rawgeti(L, keys, KEY_TASKS);
    lua_pushvalue(L, names);
    lua_rawset(L, s);
}

void fulcrum_host_fill_signals(lua_State *L, int s, int keys, int names, const fulcrum_host_signals *signals) {
    int n = signals->tasks;
    set_integer(L, s, keys, KEY_STEP, signals->step);
    set_integer(L, s, keys, KEY_EPOCH, signals->epoch);
    set_number(L, s, keys, KEY_PROGRESS, signals->progress);
    set_number(L, s, keys, KEY_LR, signals->lr);
    check_tasks(L, s, keys, names);
    fill_numbers(L, s, keys, KEY_LOSS, signals->loss, n);
    fill_numbers(L, s, keys, KEY_INITIAL_LOSS, signals->initial_loss, n);
    fill_numbers(L, s, keys, KEY_WEIGHTS, signals->weights, n);
    fill_numbers(L, s, keys, KEY_KPI, signals->kpi, n);
    fill_numbers(L, s, keys, KEY_VAL_KPI, signals->val_kpi, n);
    fill_numbers(L, s, keys, KEY_VAL_LOSS, signals->val_loss, n);
    fill_numbers(L, s, keys, KEY_GRAD_NORM, signals->grad_norm, n);
    fill_matrix(L, s, keys, KEY_GRAM, signals->gram, n, n);
    fill_matrix(L, s, keys, KEY_REP_GRAM, signals->rep_gram, n, n);
    fill_matrix(L, s, keys, KEY_EXAMPLE_LOSS, signals->example_loss, n, signals->examples);
    fill_matrix(L, s, keys, KEY_GRAD_EMA_GRAM, signals->grad_ema_gram, n, n);
    fill_numbers(L, s, keys, KEY_ADAGRAD_NORM2, signals->adagrad_norm2, n);
    fill_numbers(L, s, keys, KEY_PREDICTION_GAIN, signals->prediction_gain, n);
    if (signals->val_align == NULL) clear_field(L, s, keys, KEY_VAL_ALIGN);
    else fill_numbers(L, s, keys, KEY_VAL_ALIGN, signals->val_align, n);
}
