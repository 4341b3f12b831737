// Lua 5.4 C API (Debian's liblua5.4-dev; pkg-config lua5.4), plus functions for the API's
// macros, which Swift cannot import. Only FulcrumLua imports this module.
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

static inline int fulcrum_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline void fulcrum_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void fulcrum_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline int fulcrum_lua_registryindex(void) { return LUA_REGISTRYINDEX; }

// Message handler for lua_pcall: keeps the error message and appends a traceback.
static inline int fulcrum_lua_traceback(lua_State *L) {
    const char *message = lua_tostring(L, 1);
    if (message == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, message, 1);
    return 1;
}
