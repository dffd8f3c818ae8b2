/* protocol/core arena: see arena.h. */
#include "protocol/core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void arena_init(struct arena *a, size_t limit)
{
    memset(a, 0, sizeof(*a));
    a->limit = limit;
}

void *arena_alloc(struct arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX - align - sizeof(struct arena_chunk)) {
        a->failed = true;
        return NULL;
    }
    size = size == 0 ? align : (size + align - 1) & ~(align - 1);
    if (a->limit && (size > a->limit || a->used > a->limit - size)) {
        a->failed = true;
        return NULL;
    }
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        c = calloc(1, sizeof(*c) + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        if (a->head && size > CHUNK_SIZE) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    a->used += size;
    return p;
}

void *arena_array(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->failed = true;
        return NULL;
    }
    return arena_alloc(a, n * size);
}

void *arena_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t size, size_t first)
{
    if (len < *cap)
        return items;
    size_t grown = *cap ? *cap * 2 : first;
    if (grown < *cap) {
        a->failed = true;
        return NULL;
    }
    void *bigger = arena_array(a, grown, size);
    if (!bigger)
        return NULL;
    if (len)
        memcpy(bigger, items, len * size);
    *cap = grown;
    return bigger;
}

char *arena_memdup(struct arena *a, const void *data, size_t len)
{
    if (len == SIZE_MAX) {
        a->failed = true;
        return NULL;
    }
    char *p = arena_alloc(a, len + 1);
    if (p && len)
        memcpy(p, data, len);
    return p;
}

char *arena_strdup(struct arena *a, const char *s) { return arena_memdup(a, s, strlen(s)); }

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *arg);
    void *arg;
};

bool arena_defer(struct arena *a, void (*fn)(void *arg), void *arg)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    if (!c) {
        fn(arg);
        return false;
    }
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return true;
}

void arena_free(struct arena *a)
{
    for (struct arena_cleanup *d = a->cleanups; d; d = d->next)
        d->fn(d->arg);
    a->cleanups = NULL;
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
    a->failed = false;
}
