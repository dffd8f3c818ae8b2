/* arena: a bump allocator for one decoded request or one response.
 *
 * Chunks are malloc'ed as needed (a large allocation gets its own chunk)
 * and all freed together; a failed allocation sets the sticky `oom` flag so
 * callers may check once. Memory is zeroed. */
#include "protocol/sqs/sqs.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 4096

struct sqs_arena_chunk {
    struct sqs_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void *sqs_arena_alloc(struct sqs_arena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (size == 0)
        size = sizeof(max_align_t);
    struct sqs_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = calloc(1, sizeof(*c) + cap);
        if (!c) {
            a->oom = true;
            return NULL;
        }
        c->cap = cap;
        if (a->head && size > ARENA_CHUNK) {
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
    return p;
}

char *sqs_arena_strndup(struct sqs_arena *a, const char *s, size_t len)
{
    char *p = sqs_arena_alloc(a, len + 1);
    if (p && len)
        memcpy(p, s, len);
    return p;
}

char *sqs_arena_strdup(struct sqs_arena *a, const char *s)
{
    return sqs_arena_strndup(a, s, strlen(s));
}

void sqs_arena_free(struct sqs_arena *a)
{
    struct sqs_arena_chunk *c = a->head;
    while (c) {
        struct sqs_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->oom = false;
}
