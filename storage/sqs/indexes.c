/* indexes: the SQS engine's in-memory indexes and small utilities.
 *
 *  - msg_heap: binary min-heap of messages by (visible_at, seq);
 *    each message stores its position, so removal and re-keying are
 *    O(log n);
 *  - group_heap: min-heap of FIFO groups by their head message's seq;
 *  - group_table / dedup_table: chained string hashes (FNV-1a), the dedup
 *    table also keeps insertion order so expired ids are dropped from the
 *    old end in O(1) each;
 *  - msg_table: open-addressing hash seq -> message for receipt handles;
 *  - change records and xorshift128+ randomness for ids and nonces. */
#include "storage/sqs/engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- message heap ---------------------------------------------------- */

static size_t *heap_idx(const struct msg_heap *h, struct msg *m)
{
    (void)h;
    return &m->wait_idx;
}

static bool heap_less(const struct msg_heap *h, const struct msg *a, const struct msg *b)
{
    (void)h;
    return a->visible_at_ms < b->visible_at_ms ||
           (a->visible_at_ms == b->visible_at_ms && a->seq < b->seq);
}

static void heap_set(struct msg_heap *h, size_t i, struct msg *m)
{
    h->a[i] = m;
    *heap_idx(h, m) = i;
}

static void heap_up(struct msg_heap *h, size_t i)
{
    struct msg *m = h->a[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(h, m, h->a[parent]))
            break;
        heap_set(h, i, h->a[parent]);
        i = parent;
    }
    heap_set(h, i, m);
}

static void heap_down(struct msg_heap *h, size_t i)
{
    struct msg *m = h->a[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && heap_less(h, h->a[c + 1], h->a[c]))
            c++;
        if (!heap_less(h, h->a[c], m))
            break;
        heap_set(h, i, h->a[c]);
        i = c;
    }
    heap_set(h, i, m);
}

bool msg_heap_push(struct msg_heap *h, struct msg *m)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct msg **a = realloc(h->a, cap * sizeof(*a));
        if (!a)
            return false;
        h->a = a;
        h->cap = cap;
    }
    h->a[h->n] = m;
    *heap_idx(h, m) = h->n;
    h->n++;
    heap_up(h, h->n - 1);
    return true;
}

void msg_heap_remove(struct msg_heap *h, struct msg *m)
{
    size_t i = *heap_idx(h, m);
    if (i == NOT_IN_HEAP)
        return;
    *heap_idx(h, m) = NOT_IN_HEAP;
    h->n--;
    if (i == h->n)
        return;
    struct msg *last = h->a[h->n];
    heap_set(h, i, last);
    heap_up(h, i);
    heap_down(h, *heap_idx(h, last));
}

void msg_heap_fix(struct msg_heap *h, struct msg *m)
{
    size_t i = *heap_idx(h, m);
    if (i == NOT_IN_HEAP)
        return;
    heap_up(h, i);
    heap_down(h, *heap_idx(h, m));
}

struct msg *msg_heap_top(const struct msg_heap *h) { return h->n ? h->a[0] : NULL; }

void msg_heap_free(struct msg_heap *h)
{
    free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

/* ---- group heap ------------------------------------------------------- */

static bool group_less(const struct fifo_group *a, const struct fifo_group *b)
{
    return a->head->seq < b->head->seq;
}

static void gheap_set(struct group_heap *h, size_t i, struct fifo_group *g)
{
    h->a[i] = g;
    g->heap_idx = i;
}

static void gheap_up(struct group_heap *h, size_t i)
{
    struct fifo_group *g = h->a[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!group_less(g, h->a[parent]))
            break;
        gheap_set(h, i, h->a[parent]);
        i = parent;
    }
    gheap_set(h, i, g);
}

static void gheap_down(struct group_heap *h, size_t i)
{
    struct fifo_group *g = h->a[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && group_less(h->a[c + 1], h->a[c]))
            c++;
        if (!group_less(h->a[c], g))
            break;
        gheap_set(h, i, h->a[c]);
        i = c;
    }
    gheap_set(h, i, g);
}

bool group_heap_push(struct group_heap *h, struct fifo_group *g)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct fifo_group **a = realloc(h->a, cap * sizeof(*a));
        if (!a)
            return false;
        h->a = a;
        h->cap = cap;
    }
    h->a[h->n] = g;
    g->heap_idx = h->n;
    h->n++;
    gheap_up(h, h->n - 1);
    return true;
}

void group_heap_remove(struct group_heap *h, struct fifo_group *g)
{
    size_t i = g->heap_idx;
    if (i == NOT_IN_HEAP)
        return;
    g->heap_idx = NOT_IN_HEAP;
    h->n--;
    if (i == h->n)
        return;
    struct fifo_group *last = h->a[h->n];
    gheap_set(h, i, last);
    gheap_up(h, i);
    gheap_down(h, last->heap_idx);
}

void group_heap_fix(struct group_heap *h, struct fifo_group *g)
{
    if (g->heap_idx == NOT_IN_HEAP)
        return;
    gheap_up(h, g->heap_idx);
    gheap_down(h, g->heap_idx);
}

struct fifo_group *group_heap_top(const struct group_heap *h) { return h->n ? h->a[0] : NULL; }

void group_heap_free(struct group_heap *h)
{
    free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

/* ---- string hashes ----------------------------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Doubles a chained table when its load passes 1. */
static bool grow_buckets(void ***buckets, size_t *nbuckets, size_t n, size_t next_offset,
                         size_t key_offset)
{
    if (n < *nbuckets)
        return true;
    size_t nb = *nbuckets ? *nbuckets * 2 : 64;
    void **fresh = calloc(nb, sizeof(*fresh));
    if (!fresh)
        return false;
    for (size_t i = 0; i < *nbuckets; i++) {
        void *e = (*buckets)[i];
        while (e) {
            void **nextp = (void **)((char *)e + next_offset);
            void *next = *nextp;
            const char *key = *(char **)((char *)e + key_offset);
            size_t b = fnv1a(key) & (nb - 1);
            *nextp = fresh[b];
            fresh[b] = e;
            e = next;
        }
    }
    free(*buckets);
    *buckets = fresh;
    *nbuckets = nb;
    return true;
}

struct fifo_group *group_table_get(struct group_table *t, const char *id, bool create)
{
    if (t->nbuckets) {
        for (struct fifo_group *g = t->buckets[fnv1a(id) & (t->nbuckets - 1)]; g; g = g->hash_next)
            if (strcmp(g->id, id) == 0)
                return g;
    }
    if (!create)
        return NULL;
    if (!grow_buckets((void ***)&t->buckets, &t->nbuckets, t->n,
                      offsetof(struct fifo_group, hash_next), offsetof(struct fifo_group, id)))
        return NULL;
    struct fifo_group *g = calloc(1, sizeof(*g));
    if (!g || !(g->id = strdup(id))) {
        free(g);
        return NULL;
    }
    g->heap_idx = NOT_IN_HEAP;
    size_t b = fnv1a(id) & (t->nbuckets - 1);
    g->hash_next = t->buckets[b];
    t->buckets[b] = g;
    t->n++;
    return g;
}

void group_table_remove(struct group_table *t, struct fifo_group *g)
{
    struct fifo_group **p = &t->buckets[fnv1a(g->id) & (t->nbuckets - 1)];
    while (*p && *p != g)
        p = &(*p)->hash_next;
    if (*p) {
        *p = g->hash_next;
        t->n--;
    }
    free(g->id);
    free(g);
}

void group_table_free(struct group_table *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct fifo_group *g = t->buckets[i];
        while (g) {
            struct fifo_group *next = g->hash_next;
            free(g->id);
            free(g);
            g = next;
        }
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

static void dedup_unlink(struct dedup_table *t, struct dedup_entry *d)
{
    struct dedup_entry **p = &t->buckets[fnv1a(d->key) & (t->nbuckets - 1)];
    while (*p && *p != d)
        p = &(*p)->hash_next;
    if (*p)
        *p = d->hash_next;
    if (d->older)
        d->older->newer = d->newer;
    else
        t->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        t->newest = d->older;
    t->n--;
    free(d->key);
    free(d);
}

struct dedup_entry *dedup_find(struct dedup_table *t, const char *key, int64_t now_ms)
{
    while (t->oldest && t->oldest->expires_ms <= now_ms)
        dedup_unlink(t, t->oldest);
    if (!t->nbuckets)
        return NULL;
    for (struct dedup_entry *d = t->buckets[fnv1a(key) & (t->nbuckets - 1)]; d; d = d->hash_next)
        if (strcmp(d->key, key) == 0)
            return d;
    return NULL;
}

bool dedup_add(struct dedup_table *t, const char *key, int64_t expires_ms,
               const char *message_id, const char *sequence_number)
{
    if (!grow_buckets((void ***)&t->buckets, &t->nbuckets, t->n,
                      offsetof(struct dedup_entry, hash_next), offsetof(struct dedup_entry, key)))
        return false;
    struct dedup_entry *d = calloc(1, sizeof(*d));
    if (!d || !(d->key = strdup(key))) {
        free(d);
        return false;
    }
    d->expires_ms = expires_ms;
    snprintf(d->message_id, sizeof(d->message_id), "%s", message_id);
    snprintf(d->sequence_number, sizeof(d->sequence_number), "%s", sequence_number);
    size_t b = fnv1a(key) & (t->nbuckets - 1);
    d->hash_next = t->buckets[b];
    t->buckets[b] = d;
    d->older = t->newest;
    if (t->newest)
        t->newest->newer = d;
    else
        t->oldest = d;
    t->newest = d;
    t->n++;
    return true;
}

void dedup_free(struct dedup_table *t)
{
    struct dedup_entry *d = t->oldest;
    while (d) {
        struct dedup_entry *next = d->newer;
        free(d->key);
        free(d);
        d = next;
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

/* ---- seq -> message ----------------------------------------------------- */

static size_t slot_of(uint64_t seq, size_t cap)
{
    return (size_t)((seq * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static bool msg_table_grow(struct msg_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    struct msg **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        struct msg *m = t->slots[i];
        if (!m)
            continue;
        size_t j = slot_of(m->seq, cap);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = m;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

bool msg_table_put(struct msg_table *t, struct msg *m)
{
    if ((t->n + 1) * 2 > t->cap && !msg_table_grow(t))
        return false;
    size_t j = slot_of(m->seq, t->cap);
    while (t->slots[j] && t->slots[j]->seq != m->seq)
        j = (j + 1) & (t->cap - 1);
    if (!t->slots[j])
        t->n++;
    t->slots[j] = m;
    return true;
}

struct msg *msg_table_get(const struct msg_table *t, uint64_t seq)
{
    if (!t->cap)
        return NULL;
    for (size_t j = slot_of(seq, t->cap); t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->slots[j]->seq == seq)
            return t->slots[j];
    return NULL;
}

void msg_table_remove(struct msg_table *t, uint64_t seq)
{
    if (!t->cap)
        return;
    size_t mask = t->cap - 1, j = slot_of(seq, t->cap);
    while (t->slots[j] && t->slots[j]->seq != seq)
        j = (j + 1) & mask;
    if (!t->slots[j])
        return;
    t->slots[j] = NULL;
    t->n--;
    /* backward-shift the cluster that follows so lookups need no tombstones */
    for (size_t k = (j + 1) & mask; t->slots[k]; k = (k + 1) & mask) {
        size_t home = slot_of(t->slots[k]->seq, t->cap);
        bool movable = j <= k ? (home <= j || home > k) : (home <= j && home > k);
        if (movable) {
            t->slots[j] = t->slots[k];
            t->slots[k] = NULL;
            j = k;
        }
    }
}

void msg_table_free(struct msg_table *t)
{
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* ---- randomness ----------------------------------------------------------- */

uint64_t engine_random(struct sqs_engine *e)
{
    uint64_t s1 = e->rng[0];
    const uint64_t s0 = e->rng[1];
    e->rng[0] = s0;
    s1 ^= s1 << 23;
    e->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return e->rng[1] + s0;
}

void engine_uuid(struct sqs_engine *e, char out[37])
{
    uint64_t hi = engine_random(e), lo = engine_random(e);
    hi = (hi & ~0xF000ULL) | 0x4000ULL;                      /* version 4 */
    lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);       /* variant 10 */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32),
             (unsigned)(hi >> 16 & 0xFFFF), (unsigned)(hi & 0xFFFF), (unsigned)(lo >> 48),
             (unsigned long long)(lo & 0xFFFFFFFFFFFFULL));
}

/* ---- change records ---------------------------------------------------- */

struct sqs_change *change_add(struct sqs_changes *c, enum sqs_change_kind kind)
{
    if (!c)
        return NULL;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct sqs_change *items = realloc(c->items, cap * sizeof(*items));
        if (!items) {
            c->oom = true;
            return NULL;
        }
        c->items = items;
        c->cap = cap;
    }
    struct sqs_change *ch = &c->items[c->n++];
    memset(ch, 0, sizeof(*ch));
    ch->kind = kind;
    return ch;
}

static void queue_record_free(struct sqs_queue_record *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_attrs; i++) {
        free(r->attrs[i].key);
        free(r->attrs[i].value);
    }
    for (size_t i = 0; i < r->n_tags; i++) {
        free(r->tags[i].key);
        free(r->tags[i].value);
    }
    free(r->attrs);
    free(r->tags);
    free(r->account);
    free(r->name);
    free(r);
}

void message_record_free(struct sqs_message_record *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->attrs);
    free(r->group_id);
    free(r->dedup_id);
    free(r->sender_id);
    free(r->trace_header);
    free(r->dlq_source_arn);
    free(r);
}

void sqs_changes_init(struct sqs_changes *c) { memset(c, 0, sizeof(*c)); }

void sqs_changes_clear(struct sqs_changes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        queue_record_free(c->items[i].queue);
        message_record_free(c->items[i].message);
    }
    c->n = 0;
    c->oom = false;
}

void sqs_changes_free(struct sqs_changes *c)
{
    sqs_changes_clear(c);
    free(c->items);
    memset(c, 0, sizeof(*c));
}

static bool dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    return !src || (*dst = strdup(src)) != NULL;
}

struct sqs_message_record *message_record_of(const struct msg *m)
{
    struct sqs_message_record *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->queue_id = m->q->id;
    r->seq = m->seq;
    memcpy(r->message_id, m->message_id, sizeof(r->message_id));
    memcpy(r->sequence_number, m->sequence_number, sizeof(r->sequence_number));
    r->body = malloc(m->body_len + 1);
    r->attrs = m->attrs_len ? malloc(m->attrs_len) : NULL;
    bool ok = r->body && (!m->attrs_len || r->attrs) && dup_opt(&r->group_id, m->group_id) &&
              dup_opt(&r->dedup_id, m->dedup_id) && dup_opt(&r->sender_id, m->sender_id) &&
              dup_opt(&r->trace_header, m->trace_header) &&
              dup_opt(&r->dlq_source_arn, m->dlq_source_arn);
    if (!ok) {
        message_record_free(r);
        return NULL;
    }
    memcpy(r->body, m->body, m->body_len + 1);
    r->body_len = m->body_len;
    if (m->attrs_len)
        memcpy(r->attrs, m->attrs, m->attrs_len);
    r->attrs_len = m->attrs_len;
    r->sent_ms = m->sent_ms;
    r->first_receive_ms = m->first_receive_ms;
    r->visible_at_ms = m->visible_at_ms;
    r->receive_count = m->receive_count;
    r->receipt_nonce = m->nonce;
    return r;
}

/* The settable attributes in their GetQueueAttributes form. */
static bool add_kv(struct sqs_kv **items, size_t *n, const char *k, const char *v)
{
    struct sqs_kv *grown = realloc(*items, (*n + 1) * sizeof(**items));
    if (!grown)
        return false;
    *items = grown;
    grown[*n].key = strdup(k);
    grown[*n].value = strdup(v);
    if (!grown[*n].key || !grown[*n].value) {
        free(grown[*n].key);
        free(grown[*n].value);
        return false;
    }
    (*n)++;
    return true;
}

struct sqs_queue_record *queue_record_of(const struct sqs_queue *q)
{
    struct sqs_queue_record *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->id = q->id;
    r->created_ms = q->created_ms;
    r->modified_ms = q->modified_ms;
    r->last_purge_ms = q->last_purge_ms;
    const struct queue_settings *s = &q->s;
    char num[6][24];
    snprintf(num[0], sizeof(num[0]), "%d", s->visibility_timeout);
    snprintf(num[1], sizeof(num[1]), "%d", s->delay_seconds);
    snprintf(num[2], sizeof(num[2]), "%d", s->max_message_size);
    snprintf(num[3], sizeof(num[3]), "%d", s->retention_s);
    snprintf(num[4], sizeof(num[4]), "%d", s->receive_wait_s);
    snprintf(num[5], sizeof(num[5]), "%d", s->kms_reuse_s);
    bool ok = (r->account = strdup(q->account)) && (r->name = strdup(q->name)) &&
              add_kv(&r->attrs, &r->n_attrs, "VisibilityTimeout", num[0]) &&
              add_kv(&r->attrs, &r->n_attrs, "DelaySeconds", num[1]) &&
              add_kv(&r->attrs, &r->n_attrs, "MaximumMessageSize", num[2]) &&
              add_kv(&r->attrs, &r->n_attrs, "MessageRetentionPeriod", num[3]) &&
              add_kv(&r->attrs, &r->n_attrs, "ReceiveMessageWaitTimeSeconds", num[4]) &&
              add_kv(&r->attrs, &r->n_attrs, "SqsManagedSseEnabled", s->sse ? "true" : "false");
    if (ok && s->kms_key_id)
        ok = add_kv(&r->attrs, &r->n_attrs, "KmsMasterKeyId", s->kms_key_id) &&
             add_kv(&r->attrs, &r->n_attrs, "KmsDataKeyReusePeriodSeconds", num[5]);
    if (ok && s->policy)
        ok = add_kv(&r->attrs, &r->n_attrs, "Policy", s->policy);
    if (ok && s->redrive_policy)
        ok = add_kv(&r->attrs, &r->n_attrs, "RedrivePolicy", s->redrive_policy);
    if (ok && s->redrive_allow_policy)
        ok = add_kv(&r->attrs, &r->n_attrs, "RedriveAllowPolicy", s->redrive_allow_policy);
    if (ok && s->fifo)
        ok = add_kv(&r->attrs, &r->n_attrs, "FifoQueue", "true") &&
             add_kv(&r->attrs, &r->n_attrs, "ContentBasedDeduplication",
                    s->content_dedup ? "true" : "false") &&
             add_kv(&r->attrs, &r->n_attrs, "DeduplicationScope",
                    s->dedup_scope_group ? "messageGroup" : "queue") &&
             add_kv(&r->attrs, &r->n_attrs, "FifoThroughputLimit",
                    s->throughput_per_group ? "perMessageGroupId" : "perQueue");
    for (size_t i = 0; ok && i < q->n_tags; i++)
        ok = add_kv(&r->tags, &r->n_tags, q->tags[i].key, q->tags[i].value);
    if (!ok) {
        queue_record_free(r);
        return NULL;
    }
    return r;
}
