// Lua 5.4's C API, as Debian's liblua5.4-dev installs it (pkg-config lua5.4). Nothing else: the
// host's own C code — the sandbox's allocator and watchdog, `require`'s reader, the per-step
// marshalling — is the CFulcrumHost target.
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
