/* protocol/core arena: the bump allocator a decoded request, a response or
 * a parsed document lives in, the one copy (SQS requests and responses,
 * DynamoDB values, JSON trees).
 *
 * Memory comes in chunks (a large allocation gets a chunk of its own, so
 * the current chunk's free space stays for small ones) and is released all
 * at once. An optional budget caps the bytes handed out, so a request can
 * never make the process grow past it; an allocation past the budget, or a
 * failed malloc, returns NULL and sets the sticky `failed` flag, so callers
 * may check once at the end. Memory is zeroed and aligned for any type. */
#ifndef CLOUDLESS_PROTOCOL_ARENA_H
#define CLOUDLESS_PROTOCOL_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;
struct arena {
    struct arena_chunk *head;
    struct arena_cleanup *cleanups;    /* arena_defer's, latest first */
    size_t used;                   /* bytes handed out so far */
    size_t limit;                  /* 0: no budget */
    bool failed;                   /* an allocation failed (budget or malloc) */
};

/* A zeroed struct arena is an empty arena without a budget. */
void arena_init(struct arena *a, size_t limit);
void *arena_alloc(struct arena *a, size_t size);
/* n elements of size bytes, with the multiplication checked. */
void *arena_array(struct arena *a, size_t n, size_t size);
/* Room for one more element in an arena-held array of len elements of
 * `size` bytes and capacity *cap: items itself while there is room, else a
 * copy with twice the capacity (`first` for an empty one) and *cap updated;
 * NULL when out of memory. The old array stays in the arena until it is
 * freed. */
void *arena_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t size, size_t first);
/* A copy of len bytes followed by a NUL. */
char *arena_memdup(struct arena *a, const void *data, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* Runs fn(arg) when the arena is freed, before its memory goes (latest
 * first): what the arena's values point into but does not own, such as a
 * parsed JSON document. false when out of memory, and fn(arg) has run. */
bool arena_defer(struct arena *a, void (*fn)(void *arg), void *arg);
/* Runs the deferred calls and frees every chunk; the arena is empty
 * (budget kept) and usable again. */
void arena_free(struct arena *a);

#endif
