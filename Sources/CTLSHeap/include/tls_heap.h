#ifndef HOLDFAST_TLS_HEAP_H
#define HOLDFAST_TLS_HEAP_H

#include <stddef.h>

/// Makes OpenSSL allocate from a heap of its own (slabs and maps of this file) instead of the
/// process heap. Must run before OpenSSL's first allocation; returns 0 when that has passed.
/// Single-threaded: a worker process calls OpenSSL from its event loop only.
int holdfast_tls_heap_install(void);

void *holdfast_tls_heap_allocate(size_t bytes);
void *holdfast_tls_heap_reallocate(void *block, size_t bytes);
void holdfast_tls_heap_free(void *block);

/// Unmaps the slabs that hold no block any more (kept meanwhile for the next handshakes).
void holdfast_tls_heap_trim(void);

/// Bytes the heap has mapped: slabs, empty ones included, and blocks mapped on their own.
size_t holdfast_tls_heap_mapped_bytes(void);

#endif
