/* protocol/dynamodb arena: the bump allocator DynamoDB values live in.
 *
 * Memory comes in chunks (a large allocation gets a chunk of its own) and
 * is released all at once. An optional budget caps the bytes handed out,
 * so a request can never make the process grow past it; an allocation
 * past the budget, or a failed malloc, returns NULL and marks the arena
 * failed. Memory is zeroed. JSON documents that values point into can be
 * handed to the arena, which frees them with its chunks. */
#include "protocol/dynamodb/value.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"

#define CHUNK_SIZE 8192

struct ddb_arena_chunk {
    struct ddb_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void ddb_arena_init(struct ddb_arena *a, size_t limit)
{
    memset(a, 0, sizeof(*a));
    a->limit = limit;
}

void *ddb_arena_alloc(struct ddb_arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX - align) {
        a->failed = true;
        return NULL;
    }
    size = size == 0 ? align : (size + align - 1) & ~(align - 1);
    if (a->limit && (size > a->limit || a->used > a->limit - size)) {
        a->failed = true;
        return NULL;
    }
    struct ddb_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        c = calloc(1, sizeof(*c) + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        if (a->head && size > CHUNK_SIZE) {
            /* keep the current chunk's free space on top for small allocations */
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

void *ddb_arena_array(struct ddb_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->failed = true;
        return NULL;
    }
    return ddb_arena_alloc(a, n * size);
}

char *ddb_arena_memdup(struct ddb_arena *a, const void *data, size_t len)
{
    if (len == SIZE_MAX) {
        a->failed = true;
        return NULL;
    }
    char *p = ddb_arena_alloc(a, len + 1);
    if (p && len)
        memcpy(p, data, len);
    return p;
}

struct ddb_arena_kept {
    struct ddb_arena_kept *next;
    const struct json_value *doc;
};

bool ddb_arena_keep_json(struct ddb_arena *a, const struct json_value *doc)
{
    struct ddb_arena_kept *k = ddb_arena_alloc(a, sizeof(*k));
    if (!k) {
        json_free(doc);
        return false;
    }
    k->doc = doc;
    k->next = a->kept;
    a->kept = k;
    return true;
}

void ddb_arena_free(struct ddb_arena *a)
{
    for (struct ddb_arena_kept *k = a->kept; k; k = k->next)
        json_free(k->doc);
    a->kept = NULL;
    struct ddb_arena_chunk *c = a->head;
    while (c) {
        struct ddb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
    a->failed = false;
}
