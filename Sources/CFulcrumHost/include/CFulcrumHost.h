// The policy host's C code: what must run inside the Lua state (the allocator, the time-limit hook,
// the message handler, `require`'s file reader) or is too hot for Swift (filling `s` every step and
// reading the answer back), and functions for the Lua API's macros, which Swift cannot import.
// FulcrumLua is its only user. Each part lives in its own .c file beside this header.
#ifndef CFULCRUMHOST_H
#define CFULCRUMHOST_H

#include <stddef.h>

struct lua_State;

// MARK: The Lua API's macros (api.c)

int fulcrum_host_pcall(struct lua_State *L, int nargs, int nresults, int msgh);
void fulcrum_host_pop(struct lua_State *L, int n);
int fulcrum_host_registry_index(void);
// Message handler for lua_pcall: keeps the error message and appends a traceback.
int fulcrum_host_traceback(struct lua_State *L);
// A message for an error object that is not a string: "file:line: error raised with a table value:
// { code = 1 }" (the innermost Lua frame; a table's entries in a fixed order). Pushes and returns it.
const char *fulcrum_host_describe_error_object(struct lua_State *L, int index);

// MARK: Memory limit (memory.c)

// The allocator's bookkeeping: it refuses to grow the state past `limit` bytes (0: no limit), so a
// policy that allocates without bound fails with a memory error instead of taking the process down.
typedef struct {
    size_t used;
    size_t limit;
} fulcrum_host_memory;

// A lua_Alloc whose user data is a fulcrum_host_memory.
void *fulcrum_host_allocate(void *ud, void *ptr, size_t osize, size_t nsize);

// MARK: Time limit (watchdog.c)

typedef struct fulcrum_host_watchdog fulcrum_host_watchdog;

// Starts the watchdog thread of state L (stored in L's extra space); NULL if the thread cannot start.
fulcrum_host_watchdog *fulcrum_host_watchdog_start(struct lua_State *L, long long limitMilliseconds);
// Stops the thread and frees the watchdog.
void fulcrum_host_watchdog_stop(fulcrum_host_watchdog *watchdog);
// Around every call into the policy: begin arms the deadline, end returns 1 if the call ran out of time.
void fulcrum_host_watchdog_begin(fulcrum_host_watchdog *watchdog);
int fulcrum_host_watchdog_end(fulcrum_host_watchdog *watchdog);

// MARK: `require` (library_reader.c)

// A lua_CFunction: reads the file at the path given (the sandbox's Lua side checks the module name
// and builds the path inside policies/lib). Returns its text, or nil and a message.
int fulcrum_host_read_file(struct lua_State *L);

// MARK: Read-only tables (readonly.c)

// What getmetatable returns for a read-only view; the host reads the table behind it from the
// metatable's __index.
#define FULCRUM_HOST_READ_ONLY "read-only"

// Replaces the table at `index`, and every table inside it, by a read-only view: reads, `#`, `pairs`
// and `ipairs` reach the table, a write raises "<name> is read-only: …".
void fulcrum_host_freeze(struct lua_State *L, int index, const char *name);

// MARK: One step (signals.c, answer.c)

// One step's signals as flat arrays; NULL marks a signal absent this step. Matrices are row-major
// tasks × tasks (gram, rep_gram, grad_ema_gram); example_loss is tasks × examples.
typedef struct {
    long long step, epoch;
    double progress, lr;
    int tasks, examples;
    const double *loss, *initial_loss, *weights, *kpi, *val_kpi, *val_loss, *grad_norm;
    const double *gram, *rep_gram;
    const double *example_loss, *grad_ema_gram, *adagrad_norm2, *prediction_gain;
    // Measured only every k steps: absent, s.val_align is removed (a stale value would mislead).
    const double *val_align;
} fulcrum_host_signals;

// Pushes the table of `s`'s keys, interned once per state: pushing a key is then an array read.
void fulcrum_host_make_keys(struct lua_State *L);

// Fills the table at stack index `s` with every signal present (the keys table is at `keys`, the
// host's table of task names at `names`). Every write is raw, so nothing a policy did to `s` (a
// metatable, say) runs while the host fills it.
void fulcrum_host_fill_signals(struct lua_State *L, int s, int keys, int names, const fulcrum_host_signals *signals);

// Reads the answer on top of the stack (the keys table at `keys`) when its shape is right: 1 for an
// array of n numbers (into out[0..n)), 2 for `{shared = …, heads = …}` (into out[0..n) and
// out[n..2n)), 0 otherwise — the caller then diagnoses it, and reads an answer with `examples`. Whether the numbers are valid weights is
// not decided here but by the trainer's one rule (FulcrumCore's TaskWeights.problem).
int fulcrum_host_read_answer(struct lua_State *L, int keys, double *out, int n);

#endif
