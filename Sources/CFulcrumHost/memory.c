// The allocator of a policy's Lua state, with its memory limit.
#include <stdlib.h>
#include "CFulcrumHost.h"

void *fulcrum_host_allocate(void *ud, void *ptr, size_t osize, size_t nsize) {
    fulcrum_host_memory *memory = (fulcrum_host_memory *)ud;
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
