// Lua 5.4 C API (Debian's liblua5.4-dev; pkg-config lua5.4), plus functions for the API's
// macros, which Swift cannot import. Only FulcrumLua imports this module.
#include <stdlib.h>
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

// The allocator of a policy's state: it refuses to grow the state past `limit` bytes (0: no
// limit), so a policy that allocates without bound fails with a memory error instead of taking
// the process down.
typedef struct {
    size_t used;
    size_t limit;
} fulcrum_lua_memory;

static inline void *fulcrum_lua_allocate(void *ud, void *ptr, size_t osize, size_t nsize) {
    fulcrum_lua_memory *memory = (fulcrum_lua_memory *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        memory->used -= old;
        free(ptr);
        return NULL;
    }
    if (nsize > old && memory->limit != 0 && memory->used - old + nsize > memory->limit) return NULL;
    void *block = realloc(ptr, nsize);
    if (block != NULL) memory->used = memory->used - old + nsize;
    return block;
}
