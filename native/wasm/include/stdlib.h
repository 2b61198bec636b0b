/* <stdlib.h> for the freestanding wasm32 build: malloc and free are the host's (an arena in tfjs-backend-wasm's heap,
 * passed in as imports), because the kernels share that module's memory and must not run a second allocator on it. */
#ifndef MTL_WASM_STDLIB_H
#define MTL_WASM_STDLIB_H
#include <stddef.h>
__attribute__((import_module("env"), import_name("malloc"))) void* malloc(size_t size);
__attribute__((import_module("env"), import_name("free"))) void free(void* ptr);
#endif
