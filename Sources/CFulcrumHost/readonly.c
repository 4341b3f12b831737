// Read-only views of the host's tables (ctx.memory): a proxy whose reads, `#`, `pairs` and `ipairs`
// reach the table and whose writes raise, so a policy cannot mistake its copy of the memory for
// something it can change.
#include <lua.h>
#include <lauxlib.h>
#include "CFulcrumHost.h"

static int refuse_write(lua_State *L) {
    return luaL_error(L, "%s is read-only: copy what you need into a table of your own", lua_tostring(L, lua_upvalueindex(1)));
}

static int length(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int next_entry(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

static int pairs(lua_State *L) {
    lua_pushcfunction(L, next_entry);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 3;
}

void fulcrum_host_freeze(lua_State *L, int index, const char *name) {
    index = lua_absindex(L, index);
    // Each level holds a key, a value and the proxy's metatable entries while it works.
    lua_checkstack(L, 8);
    // The tables inside first, so that reading through the proxy gives proxies.
    lua_pushnil(L);
    while (lua_next(L, index)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            fulcrum_host_freeze(L, -1, name);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, index);   // replaces an existing field: allowed while traversing
        } else {
            lua_pop(L, 1);
        }
    }
    lua_newtable(L);                            // the proxy
    lua_createtable(L, 0, 5);                   // its metatable
    lua_pushvalue(L, index);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, refuse_write, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, index);
    lua_pushcclosure(L, length, 1);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, index);
    lua_pushcclosure(L, pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushstring(L, FULCRUM_HOST_READ_ONLY);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_replace(L, index);
}
