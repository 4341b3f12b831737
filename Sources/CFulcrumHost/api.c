// The Lua API's macros as functions (Swift imports functions, not macros), and the message handler
// every protected call of the host uses.
#include <lua.h>
#include <lauxlib.h>
#include "CFulcrumHost.h"

int fulcrum_host_pcall(lua_State *L, int nargs, int nresults, int msgh) { return lua_pcall(L, nargs, nresults, msgh); }

void fulcrum_host_pop(lua_State *L, int n) { lua_pop(L, n); }

int fulcrum_host_registry_index(void) { return LUA_REGISTRYINDEX; }

int fulcrum_host_traceback(lua_State *L) {
    const char *message = lua_tostring(L, 1);
    if (message == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        message = fulcrum_host_describe_error_object(L, 1);
    }
    luaL_traceback(L, L, message, 1);
    return 1;
}
