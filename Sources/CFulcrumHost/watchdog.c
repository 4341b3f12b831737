// The per-call time limit. A watchdog thread polls the deadline of the call in flight; only when it
// has passed does it arm a count hook (lua_sethook may be called from another thread), and the hook
// raises the error at the policy's next instruction — again after every instruction, so a pcall
// inside the policy cannot swallow it. Normal calls pay two atomic stores and a clock read.
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <lua.h>
#include <lauxlib.h>
#include "CFulcrumHost.h"

struct fulcrum_host_watchdog {
    lua_State *state;
    _Atomic long long deadline;              // nanoseconds on CLOCK_MONOTONIC; 0 when idle
    _Atomic unsigned long generation;        // counts calls
    _Atomic unsigned long expiredGeneration; // the call that ran out of time
    _Atomic int stopping;
    long long limitMilliseconds;
    pthread_t thread;
};

static long long now_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static fulcrum_host_watchdog *watchdog_of(lua_State *L) { return *(fulcrum_host_watchdog **)lua_getextraspace(L); }

static void timeout_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    fulcrum_host_watchdog *watchdog = watchdog_of(L);
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

static void *watch(void *argument) {
    fulcrum_host_watchdog *watchdog = (fulcrum_host_watchdog *)argument;
    long long period = watchdog->limitMilliseconds * 1000000LL / 10;
    if (period < 1000000LL) period = 1000000LL;
    if (period > 10000000LL) period = 10000000LL;
    struct timespec pause = { 0, (long)period };
    while (!atomic_load(&watchdog->stopping)) {
        nanosleep(&pause, NULL);
        unsigned long generation = atomic_load(&watchdog->generation);
        long long deadline = atomic_load(&watchdog->deadline);
        if (deadline != 0 && now_nanoseconds() >= deadline && atomic_load(&watchdog->generation) == generation
            && atomic_load(&watchdog->expiredGeneration) != generation) {
            atomic_store(&watchdog->expiredGeneration, generation);
            lua_sethook(watchdog->state, timeout_hook, LUA_MASKCOUNT, 1);
        }
    }
    return NULL;
}

fulcrum_host_watchdog *fulcrum_host_watchdog_start(lua_State *L, long long limitMilliseconds) {
    fulcrum_host_watchdog *watchdog = malloc(sizeof *watchdog);
    if (watchdog == NULL) return NULL;
    watchdog->state = L;
    atomic_init(&watchdog->deadline, 0);
    atomic_init(&watchdog->generation, 1);
    atomic_init(&watchdog->expiredGeneration, 0);
    atomic_init(&watchdog->stopping, 0);
    watchdog->limitMilliseconds = limitMilliseconds;
    *(fulcrum_host_watchdog **)lua_getextraspace(L) = watchdog;
    if (pthread_create(&watchdog->thread, NULL, watch, watchdog) != 0) {
        free(watchdog);
        return NULL;
    }
    return watchdog;
}

void fulcrum_host_watchdog_stop(fulcrum_host_watchdog *watchdog) {
    atomic_store(&watchdog->stopping, 1);
    pthread_join(watchdog->thread, NULL);
    free(watchdog);
}

void fulcrum_host_watchdog_begin(fulcrum_host_watchdog *watchdog) {
    atomic_fetch_add(&watchdog->generation, 1);
    atomic_store(&watchdog->deadline, now_nanoseconds() + watchdog->limitMilliseconds * 1000000LL);
}

int fulcrum_host_watchdog_end(fulcrum_host_watchdog *watchdog) {
    atomic_store(&watchdog->deadline, 0);
    if (atomic_load(&watchdog->expiredGeneration) == atomic_load(&watchdog->generation)) {
        lua_sethook(watchdog->state, NULL, 0, 0);
        return 1;
    }
    return 0;
}
