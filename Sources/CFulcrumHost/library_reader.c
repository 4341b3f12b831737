// Reads a policy library file for the sandbox's `require`.
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include "CFulcrumHost.h"

int fulcrum_host_read_file(lua_State *L) {
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
