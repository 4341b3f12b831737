// What a policy raised when it raised something other than a string — `error({ code = 1 })`,
// `error(nil)` — as a message a researcher can act on: where it was raised and what it held.
// Lua itself says only "(error object is a table value)", with no file or line.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "CFulcrumHost.h"

enum { max_entries = 8, max_string = 40, max_keys = 64 };

// The message under construction: a fixed buffer (no Lua buffer, so the stack stays free for
// walking the table), cut when full.
typedef struct { char data[640]; size_t length; } text_t;

static void add_text(text_t *t, const char *piece, size_t length) {
    size_t room = sizeof t->data - 1 - t->length;
    if (length > room) length = room;
    memcpy(t->data + t->length, piece, length);
    t->length += length;
    t->data[t->length] = 0;
}

static void add_string(text_t *t, const char *piece) { add_text(t, piece, strlen(piece)); }
static void add_char(text_t *t, char c) { add_text(t, &c, 1); }

static void add_value(lua_State *L, text_t *b, int index, int depth);

// A string as Lua would quote it, cut to max_string characters.
static void add_quoted(text_t *b, const char *text, size_t length) {
    add_char(b, '"');
    for (size_t i = 0; i < length && i < max_string; i++) {
        char c = text[i];
        if (c == '"' || c == '\\') add_char(b, '\\');
        if (c == '\n') { add_string(b, "\\n"); continue; }
        add_char(b, c);
    }
    if (length > max_string) add_string(b, "…");
    add_char(b, '"');
}

static int is_identifier(const char *text) {
    if (!(*text == '_' || (*text >= 'a' && *text <= 'z') || (*text >= 'A' && *text <= 'Z'))) return 0;
    for (const char *c = text; *c; c++) {
        if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) return 0;
    }
    return 1;
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int compare_numbers(const void *a, const void *b) {
    lua_Number x = *(const lua_Number *)a, y = *(const lua_Number *)b;
    return (x > y) - (x < y);
}

// A number key as the table holds it: an integer when it is one (t[2] and t[2.0] are one key).
static void push_number_key(lua_State *L, lua_Number number) {
    lua_Integer whole;
    if (floor(number) == number && lua_numbertointeger(number, &whole)) lua_pushinteger(L, whole); else lua_pushnumber(L, number);
}

// Appends `separator` unless this is the first entry; returns 0 once max_entries are written.
static int next_entry(text_t *b, int *written) {
    if (*written == max_entries) { add_string(b, ", …"); (*written)++; return 0; }
    if (*written > max_entries) return 0;
    add_string(b, *written == 0 ? " " : ", ");
    (*written)++;
    return 1;
}

// A table's entries in a fixed order (the sequence, then string keys sorted, then number keys
// sorted), so the same error reads the same on every run; other keys are counted.
static void add_table(lua_State *L, text_t *b, int table, int depth) {
    if (depth > 1) { add_string(b, "{…}"); return; }
    add_char(b, '{');
    int written = 0;
    lua_Integer sequence = (lua_Integer)lua_rawlen(L, table);
    for (lua_Integer i = 1; i <= sequence; i++) {
        if (!next_entry(b, &written)) break;
        lua_rawgeti(L, table, i);
        add_value(L, b, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    const char *names[max_keys];
    lua_Number numbers[max_keys];
    int name_count = 0, number_count = 0, others = 0;
    lua_pushnil(L);
    while (lua_next(L, table)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            if (name_count < max_keys) names[name_count++] = lua_tostring(L, -1);  // the table keeps it alive
            else others++;
        } else if (lua_type(L, -1) == LUA_TNUMBER) {
            int is_sequence = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= sequence;
            if (!is_sequence) { if (number_count < max_keys) numbers[number_count++] = lua_tonumber(L, -1); else others++; }
        } else {
            others++;
        }
    }
    qsort(names, name_count, sizeof names[0], compare_strings);
    qsort(numbers, number_count, sizeof numbers[0], compare_numbers);
    for (int i = 0; i < name_count; i++) {
        if (!next_entry(b, &written)) break;
        if (is_identifier(names[i])) {
            add_string(b, names[i]);
        } else {
            add_char(b, '[');
            add_quoted(b, names[i], strlen(names[i]));
            add_char(b, ']');
        }
        add_string(b, " = ");
        lua_getfield(L, table, names[i]);
        add_value(L, b, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    for (int i = 0; i < number_count; i++) {
        if (!next_entry(b, &written)) break;
        push_number_key(L, numbers[i]);
        add_char(b, '[');
        add_string(b, luaL_tolstring(L, -1, NULL));
        lua_pop(L, 1);  // the key's text; the key stays for rawget
        add_string(b, "] = ");
        lua_rawget(L, table);
        add_value(L, b, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    if (others > 0 && written <= max_entries) {
        next_entry(b, &written);
        add_string(b, lua_pushfstring(L, "(%d more keys)", others));
        lua_pop(L, 1);
    }
    add_string(b, written > 0 ? " }" : "}");
}

static void add_value(lua_State *L, text_t *b, int index, int depth) {
    switch (lua_type(L, index)) {
    case LUA_TSTRING: {
        size_t length;
        const char *text = lua_tolstring(L, index, &length);
        add_quoted(b, text, length);
        break;
    }
    case LUA_TNUMBER: case LUA_TBOOLEAN: case LUA_TNIL:
        add_string(b, luaL_tolstring(L, index, NULL));
        lua_pop(L, 1);
        break;
    case LUA_TTABLE:
        add_table(L, b, lua_absindex(L, index), depth);
        break;
    default:
        add_char(b, '<');
        add_string(b, luaL_typename(L, index));
        add_char(b, '>');
    }
}

const char *fulcrum_host_describe_error_object(lua_State *L, int index) {
    index = lua_absindex(L, index);
    text_t message = { .length = 0 };
    message.data[0] = 0;
    // Where: the innermost Lua function on the stack (level 1 is `error` itself, a C function).
    lua_Debug frame;
    for (int level = 1; lua_getstack(L, level, &frame); level++) {
        lua_getinfo(L, "Sl", &frame);
        if (frame.currentline > 0) {
            add_string(&message, lua_pushfstring(L, "%s:%d: ", frame.short_src, frame.currentline));
            lua_pop(L, 1);
            break;
        }
    }
    add_string(&message, "error raised with a ");
    add_string(&message, luaL_typename(L, index));
    add_string(&message, " value: ");
    add_value(L, &message, index, 0);
    return lua_pushstring(L, message.data);
}
