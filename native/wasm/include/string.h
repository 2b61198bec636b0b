/* <string.h> for the freestanding wasm32 build: bulk-memory instructions (memory.copy / memory.fill). */
#ifndef MTL_WASM_STRING_H
#define MTL_WASM_STRING_H
#include <stddef.h>
void* memcpy(void* restrict dst, const void* restrict src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
#endif
