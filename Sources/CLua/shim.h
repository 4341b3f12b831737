// Lua 5.4 C API (Debian's liblua5.4-dev; pkg-config lua5.4), plus functions for the API's
// macros, which Swift cannot import. Only FulcrumLua imports this module.
#include <stdlib.h>
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include "signals.h"

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

// The per-call time limit. A watchdog thread polls the deadline of the call in flight; only when
// it has passed does it arm a count hook (lua_sethook may be called from another thread), and the
// hook raises the error at the policy's next instruction — again after every instruction, so a
// pcall inside the policy cannot swallow it. Normal calls pay two atomic stores and a clock read.
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

typedef struct {
    lua_State *state;
    _Atomic long long deadline;              // nanoseconds on CLOCK_MONOTONIC; 0 when idle
    _Atomic unsigned long generation;        // counts calls
    _Atomic unsigned long expiredGeneration; // the call that ran out of time
    _Atomic int stopping;
    long long limitMilliseconds;
    pthread_t thread;
} fulcrum_lua_watchdog;

static inline long long fulcrum_lua_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static inline fulcrum_lua_watchdog *fulcrum_lua_watchdog_of(lua_State *L) {
    return *(fulcrum_lua_watchdog **)lua_getextraspace(L);
}

static inline void fulcrum_lua_timeout_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    fulcrum_lua_watchdog *watchdog = fulcrum_lua_watchdog_of(L);
    if (atomic_load(&watchdog->expiredGeneration) == atomic_load(&watchdog->generation)) {
        // Level 0: inside a hook that is the policy function being run, so the message gets its line.
        luaL_where(L, 0);
        lua_pushfstring(L, "time limit of %d ms exceeded", (int)watchdog->limitMilliseconds);
        lua_concat(L, 2);
        lua_error(L);
    } else {
        lua_sethook(L, NULL, 0, 0);  // armed for a call that has already ended
    }
}

static inline void *fulcrum_lua_watchdog_main(void *argument) {
    fulcrum_lua_watchdog *watchdog = (fulcrum_lua_watchdog *)argument;
    long long period = watchdog->limitMilliseconds * 1000000LL / 10;
    if (period < 1000000LL) period = 1000000LL;
    if (period > 10000000LL) period = 10000000LL;
    struct timespec pause = { 0, (long)period };
    while (!atomic_load(&watchdog->stopping)) {
        nanosleep(&pause, NULL);
        unsigned long generation = atomic_load(&watchdog->generation);
        long long deadline = atomic_load(&watchdog->deadline);
        if (deadline != 0 && fulcrum_lua_now() >= deadline && atomic_load(&watchdog->generation) == generation
            && atomic_load(&watchdog->expiredGeneration) != generation) {
            atomic_store(&watchdog->expiredGeneration, generation);
            lua_sethook(watchdog->state, fulcrum_lua_timeout_hook, LUA_MASKCOUNT, 1);
        }
    }
    return NULL;
}

static inline int fulcrum_lua_watchdog_start(fulcrum_lua_watchdog *watchdog, lua_State *L, long long limitMilliseconds) {
    watchdog->state = L;
    atomic_init(&watchdog->deadline, 0);
    atomic_init(&watchdog->generation, 1);
    atomic_init(&watchdog->expiredGeneration, 0);
    atomic_init(&watchdog->stopping, 0);
    watchdog->limitMilliseconds = limitMilliseconds;
    *(fulcrum_lua_watchdog **)lua_getextraspace(L) = watchdog;
    return pthread_create(&watchdog->thread, NULL, fulcrum_lua_watchdog_main, watchdog);
}

static inline void fulcrum_lua_watchdog_stop(fulcrum_lua_watchdog *watchdog) {
    atomic_store(&watchdog->stopping, 1);
    pthread_join(watchdog->thread, NULL);
}

static inline void fulcrum_lua_watchdog_begin(fulcrum_lua_watchdog *watchdog) {
    atomic_fetch_add(&watchdog->generation, 1);
    atomic_store(&watchdog->deadline, fulcrum_lua_now() + watchdog->limitMilliseconds * 1000000LL);
}

/// Ends a call; returns 1 if it ran out of time.
static inline int fulcrum_lua_watchdog_end(fulcrum_lua_watchdog *watchdog) {
    atomic_store(&watchdog->deadline, 0);
    if (atomic_load(&watchdog->expiredGeneration) == atomic_load(&watchdog->generation)) {
        lua_sethook(watchdog->state, NULL, 0, 0);
        return 1;
    }
    return 0;
}

// Reads a policy library file for the sandbox's `require` (the Lua side checks the module name and
// builds the path inside policies/lib). Returns the file's text, or nil and a message.
#include <stdio.h>

static inline int fulcrum_lua_read_file(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        lua_pushnil(L);
        lua_pushfstring(L, "no file %s", path);
        return 2;
    }
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    char chunk[4096];
    size_t count;
    while ((count = fread(chunk, 1, sizeof chunk, file)) > 0) luaL_addlstring(&buffer, chunk, count);
    fclose(file);
    luaL_pushresult(&buffer);
    return 1;
}
