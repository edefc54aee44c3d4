// OpenSSL's own heap. A handshake allocates and frees some hundreds of blocks; from the process
// heap, the small long-lived blocks of held clients created meanwhile land between them and pin
// their pages once they are freed. Here OpenSSL's blocks live in slabs of their own size class
// (and blocks too big for a slab in maps of their own), so a finished handshake leaves whole
// empty slabs, which are unmapped. docs/architecture.md, "TLS".

#include "tls_heap.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

enum { header_bytes = 16, slab_header_bytes = 64, spare_slabs_per_class = 2 };

// Block sizes, header included: multiples of 16, about 1.25x apart, up to OpenSSL's record
// buffers (16 KB and some); a map of its own for each block costs a handshake several system
// calls and page faults.
static const uint32_t class_bytes[] = {
    32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096,
    5120, 6144, 8192, 10240, 12288, 16384, 20480, 24576, 32768,
};
enum { class_count = sizeof class_bytes / sizeof class_bytes[0], own_map_class = 0xffff };

typedef struct slab {
    struct slab *previous, *next;  // in its class's list of slabs with room, or of empty ones
    void *free_blocks;             // freed blocks, each holding the address of the next
    char *untouched;               // blocks from here on were never handed out
    uint32_t free_count, capacity;
    uint16_t class_index;
} slab;

// Before every block: its slab, or the bytes of its own map.
typedef struct header {
    union { slab *slab; size_t mapped_bytes; } owner;
    uint32_t class_index;
    uint32_t unused;
} header;

_Static_assert(sizeof(header) == header_bytes, "blocks stay 16-byte aligned");
_Static_assert(sizeof(slab) <= slab_header_bytes, "the slab's bookkeeping fits before its first block");

typedef struct slab_list { slab *first; uint32_t count; } slab_list;

static slab_list with_room[class_count];
static slab_list empty[class_count];
static size_t mapped_bytes;

static void link_first(slab_list *list, slab *s) {
    s->previous = NULL;
    s->next = list->first;
    if (list->first) list->first->previous = s;
    list->first = s;
    list->count += 1;
}

static void unlink_from(slab_list *list, slab *s) {
    if (s->previous) s->previous->next = s->next; else list->first = s->next;
    if (s->next) s->next->previous = s->previous;
    s->previous = s->next = NULL;
    list->count -= 1;
}

static void *map(size_t bytes) {
    void *address = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) return NULL;
    mapped_bytes += bytes;
    return address;
}

static void unmap(void *address, size_t bytes) {
    munmap(address, bytes);
    mapped_bytes -= bytes;
}

// The class of every size up to 4 KB, by sixteenths: a handshake allocates some hundreds of times.
static uint8_t small_class_by_sixteenths[4096 / 16 + 1];

__attribute__((constructor)) static void know_small_classes(void) {
    for (int index = 0, sixteenths = 1; sixteenths <= 4096 / 16; sixteenths++) {
        while (class_bytes[index] < (uint32_t)sixteenths * 16) index++;
        small_class_by_sixteenths[sixteenths] = (uint8_t)index;
    }
}

// A slab class, or own_map_class for a block too big for any.
static uint32_t class_for(size_t bytes) {
    size_t total = bytes + header_bytes;
    if (total <= 4096) return small_class_by_sixteenths[(total + 15) / 16];
    for (uint32_t index = 0; index < class_count; index++)
        if (total <= class_bytes[index]) return index;
    return own_map_class;
}

// At least 32 KB, and room for eight blocks of the big classes.
static size_t slab_bytes(int class_index) {
    size_t eight_blocks = 8 * (size_t)class_bytes[class_index] + slab_header_bytes;
    return eight_blocks < 32 * 1024 ? 32 * 1024 : (eight_blocks + 4095) / 4096 * 4096;
}

static slab *new_slab(int class_index) {
    slab *s = map(slab_bytes(class_index));
    if (!s) return NULL;
    s->previous = s->next = NULL;
    s->free_blocks = NULL;
    s->untouched = (char *)s + slab_header_bytes;
    s->capacity = (uint32_t)(slab_bytes(class_index) - slab_header_bytes) / class_bytes[class_index];
    s->free_count = s->capacity;
    s->class_index = (uint16_t)class_index;
    return s;
}

static void *take_from_slab(int class_index) {
    slab *s = with_room[class_index].first;
    if (!s && (s = empty[class_index].first)) {
        unlink_from(&empty[class_index], s);
        link_first(&with_room[class_index], s);
    }
    if (!s) {
        if (!(s = new_slab(class_index))) return NULL;
        link_first(&with_room[class_index], s);
    }
    header *h;
    if (s->free_blocks) {
        h = s->free_blocks;
        s->free_blocks = *(void **)h;
    } else {
        h = (header *)s->untouched;
        s->untouched += class_bytes[class_index];
    }
    s->free_count -= 1;
    if (s->free_count == 0) unlink_from(&with_room[class_index], s);
    h->owner.slab = s;
    h->class_index = (uint32_t)class_index;
    return h + 1;
}

static void *take_own_map(size_t bytes) {
    size_t page = 4096, length = (bytes + header_bytes + page - 1) / page * page;
    header *h = map(length);
    if (!h) return NULL;
    h->owner.mapped_bytes = length;
    h->class_index = own_map_class;
    return h + 1;
}

void *holdfast_tls_heap_allocate(size_t bytes) {
    if (bytes == 0) return NULL;  // as OpenSSL's own CRYPTO_malloc
    uint32_t class_index = class_for(bytes);
    return class_index == own_map_class ? take_own_map(bytes) : take_from_slab((int)class_index);
}

static size_t usable_bytes(const header *h) {
    return (h->class_index == own_map_class ? h->owner.mapped_bytes : class_bytes[h->class_index]) - header_bytes;
}

void holdfast_tls_heap_free(void *block) {
    if (!block) return;
    header *h = (header *)block - 1;
    if (h->class_index == own_map_class) {
        unmap(h, h->owner.mapped_bytes);
        return;
    }
    slab *s = h->owner.slab;
    int class_index = s->class_index;
    if (s->free_count == 0) link_first(&with_room[class_index], s);
    *(void **)h = s->free_blocks;
    s->free_blocks = h;
    s->free_count += 1;
    if (s->free_count < s->capacity) return;
    unlink_from(&with_room[class_index], s);
    if (empty[class_index].count < spare_slabs_per_class) link_first(&empty[class_index], s);
    else unmap(s, slab_bytes(class_index));
}

void *holdfast_tls_heap_reallocate(void *block, size_t bytes) {
    if (!block) return holdfast_tls_heap_allocate(bytes);
    if (bytes == 0) {
        holdfast_tls_heap_free(block);
        return NULL;
    }
    header *h = (header *)block - 1;
    size_t old_bytes = usable_bytes(h);
    if (bytes <= old_bytes && class_for(bytes) == h->class_index) return block;
    void *moved = holdfast_tls_heap_allocate(bytes);
    if (!moved) return NULL;
    memcpy(moved, block, old_bytes < bytes ? old_bytes : bytes);
    holdfast_tls_heap_free(block);
    return moved;
}

void holdfast_tls_heap_trim(void) {
    for (int index = 0; index < class_count; index++)
        while (empty[index].first) {
            slab *s = empty[index].first;
            unlink_from(&empty[index], s);
            unmap(s, slab_bytes(index));
        }
}

size_t holdfast_tls_heap_mapped_bytes(void) { return mapped_bytes; }

static void *openssl_allocate(size_t bytes, const char *file, int line) {
    (void)file, (void)line;
    return holdfast_tls_heap_allocate(bytes);
}

static void *openssl_reallocate(void *block, size_t bytes, const char *file, int line) {
    (void)file, (void)line;
    return holdfast_tls_heap_reallocate(block, bytes);
}

static void openssl_free(void *block, const char *file, int line) {
    (void)file, (void)line;
    holdfast_tls_heap_free(block);
}

int holdfast_tls_heap_install(void) {
    return CRYPTO_set_mem_functions(openssl_allocate, openssl_reallocate, openssl_free);
}
