// Reading a policy's answer back on the hot path: its shape only (tables of n numbers). Anything
// else falls to the Swift reader, which says what is wrong; whether the numbers are valid weights is
// the trainer's rule, in one place (FulcrumCore's TaskWeights.problem).
#include <lua.h>
#include "CFulcrumHost.h"
#include "keys.h"

// Reads n numbers from the array at `index` into `out`: 1 if it is a table of exactly n numbers.
static int read_numbers(lua_State *L, int index, double *out, int n) {
    if (lua_type(L, index) != LUA_TTABLE || lua_rawlen(L, index) != (lua_Unsigned)n) return 0;
    for (int i = 0; i < n; i++) {
        int type = lua_rawgeti(L, index, i + 1);
        double value = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (type != LUA_TNUMBER) return 0;
        out[i] = value;
    }
    return 1;
}

int fulcrum_host_read_answer(lua_State *L, int keys, double *out, int n) {
    int answer = lua_gettop(L);
    if (lua_type(L, answer) != LUA_TTABLE) return 0;
    lua_rawgeti(L, keys, KEY_EXAMPLES);
    int examples = lua_rawget(L, answer);
    lua_pop(L, 1);
    if (examples != LUA_TNIL) return 0;  // example weights: read by the Swift reader
    lua_rawgeti(L, keys, KEY_SHARED);
    if (lua_rawget(L, answer) == LUA_TNIL) {
        lua_pop(L, 1);
        return read_numbers(L, answer, out, n);
    }
    int shared = read_numbers(L, -1, out, n);
    lua_pop(L, 1);
    lua_rawgeti(L, keys, KEY_HEADS);
    lua_rawget(L, answer);
    int heads = read_numbers(L, -1, out + n, n);
    lua_pop(L, 1);
    return shared && heads ? 2 : 0;
}
