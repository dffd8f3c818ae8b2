/* messages: SQS message semantics for the engine.
 *
 * Send assigns a seq (engine-wide key), a MessageId and, on FIFO queues, a
 * 20-digit SequenceNumber, applies deduplication (5-minute window keyed by
 * dedup id, or SHA-256 of the body with ContentBasedDeduplication, scoped
 * per queue or per group) and links the message into the queue's indexes.
 * Receive first makes due messages visible and drops expired ones, then
 * takes visible messages (standard: the ready list; FIFO: the unlocked
 * group with the oldest head, several messages of one group in order),
 * moving to the dead-letter queue any message whose receive count already
 * reached maxReceiveCount. Each receive gives the message a fresh random
 * nonce; a receipt handle is "AQEB" + hex(queue id, seq, nonce), so a
 * handle from an earlier receive is recognised as stale: DeleteMessage
 * with it succeeds without deleting (as AWS documents), while
 * ChangeMessageVisibility rejects it. */
#include "storage/sqs/engine_internal.h"
#include "protocol/core/hex.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDLE_LEN 52

void notify_available(struct sqs_engine *e, struct sqs_queue *q)
{
    if (e->cfg.on_message_available)
        e->cfg.on_message_available(e->cfg.ud, q);
}

/* ---- message memory ------------------------------------------------------ */

static char *place(char **p, const char *s, size_t len)
{
    if (!s)
        return NULL;
    char *dst = *p;
    memcpy(dst, s, len);
    dst[len] = '\0';
    *p += len + 1;
    return dst;
}

static size_t opt_len(const char *s) { return s ? strlen(s) + 1 : 0; }

/* One allocation holds the struct, the body, the attributes and the ids;
 * dlq_source_arn is separate because a redrive replaces it. */
static struct msg *msg_alloc(const char *body, size_t body_len, const unsigned char *attrs,
                             size_t attrs_len, const char *group_id, const char *dedup_id,
                             const char *sender_id, const char *trace_header)
{
    size_t size = sizeof(struct msg) + body_len + 1 + attrs_len + opt_len(group_id) +
                  opt_len(dedup_id) + opt_len(sender_id) + opt_len(trace_header);
    struct msg *m = calloc(1, size);
    if (!m)
        return NULL;
    char *p = (char *)(m + 1);
    m->body = place(&p, body, body_len);
    m->body_len = body_len;
    if (attrs_len) {
        m->attrs = (unsigned char *)p;
        memcpy(p, attrs, attrs_len);
        p += attrs_len;
        m->attrs_len = attrs_len;
    }
    m->group_id = place(&p, group_id, group_id ? strlen(group_id) : 0);
    m->dedup_id = place(&p, dedup_id, dedup_id ? strlen(dedup_id) : 0);
    m->sender_id = place(&p, sender_id, sender_id ? strlen(sender_id) : 0);
    m->trace_header = place(&p, trace_header, trace_header ? strlen(trace_header) : 0);
    m->wait_idx = NOT_IN_HEAP;
    return m;
}

void msg_free(struct msg *m)
{
    if (m) {
        free(m->dlq_source_arn);
        free(m);
    }
}

struct msg *msg_from_record(const struct sqs_message_record *rec)
{
    struct msg *m = msg_alloc(rec->body, rec->body_len, rec->attrs, rec->attrs_len, rec->group_id,
                              rec->dedup_id, rec->sender_id, rec->trace_header);
    if (!m)
        return NULL;
    if (rec->dlq_source_arn && !(m->dlq_source_arn = strdup(rec->dlq_source_arn))) {
        msg_free(m);
        return NULL;
    }
    m->seq = rec->seq;
    memcpy(m->message_id, rec->message_id, sizeof(m->message_id));
    m->message_id[36] = '\0';
    memcpy(m->sequence_number, rec->sequence_number, sizeof(m->sequence_number));
    m->sequence_number[23] = '\0';
    sqs_md5_hex(m->body, m->body_len, m->md5_body);
    m->sent_ms = rec->sent_ms;
    m->first_receive_ms = rec->first_receive_ms;
    m->visible_at_ms = rec->visible_at_ms;
    m->received_at_ms = rec->first_receive_ms;
    m->receive_count = rec->receive_count;
    m->nonce = rec->receipt_nonce;
    return m;
}

/* ---- linking into a queue ------------------------------------------------------ */

static void ready_append(struct sqs_queue *q, struct msg *m)
{
    m->next = NULL;
    m->prev = q->ready_tail;
    if (q->ready_tail)
        q->ready_tail->next = m;
    else
        q->ready_head = m;
    q->ready_tail = m;
}

static void ready_remove(struct sqs_queue *q, struct msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        q->ready_head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        q->ready_tail = m->prev;
    m->prev = m->next = NULL;
}

/* Puts a FIFO group in or out of the ready heap; frees it when empty. */
static void group_refresh(struct sqs_queue *q, struct fifo_group *g)
{
    if (!g->head && g->inflight == 0) {
        group_heap_remove(&q->groups_ready, g);
        group_table_remove(&q->groups, g);
        return;
    }
    bool eligible = g->inflight == 0 && g->head && g->head->state == MSG_VISIBLE;
    if (eligible && g->heap_idx == NOT_IN_HEAP)
        group_heap_push(&q->groups_ready, g);   /* on failure the group waits for the next refresh */
    else if (!eligible)
        group_heap_remove(&q->groups_ready, g);
    else
        group_heap_fix(&q->groups_ready, g);
}

/* Inserts m into a FIFO group's list in seq order (normally at the tail). */
static void group_insert(struct fifo_group *g, struct msg *m)
{
    struct msg *after = g->tail;
    while (after && after->seq > m->seq)
        after = after->prev;
    m->prev = after;
    m->next = after ? after->next : g->head;
    if (m->next)
        m->next->prev = m;
    else
        g->tail = m;
    if (after)
        after->next = m;
    else
        g->head = m;
    m->group = g;
}

/* Inserts m into the age list by (sent_ms, seq), normally at the young end. */
static void age_insert(struct sqs_queue *q, struct msg *m)
{
    struct msg *after = q->youngest;
    while (after && (after->sent_ms > m->sent_ms ||
                     (after->sent_ms == m->sent_ms && after->seq > m->seq)))
        after = after->older;
    m->older = after;
    m->younger = after ? after->younger : q->oldest;
    if (m->younger)
        m->younger->older = m;
    else
        q->youngest = m;
    if (after)
        after->younger = m;
    else
        q->oldest = m;
}

static void age_remove(struct sqs_queue *q, struct msg *m)
{
    if (m->older)
        m->older->younger = m->younger;
    else
        q->oldest = m->younger;
    if (m->younger)
        m->younger->older = m->older;
    else
        q->youngest = m->older;
    m->older = m->younger = NULL;
}

bool msg_link(struct sqs_queue *q, struct msg *m, int64_t now_ms)
{
    m->q = q;
    m->prev = m->next = NULL;
    m->group = NULL;
    if (m->visible_at_ms > now_ms) {
        if (!msg_heap_push(&q->waiting, m))
            return false;
        m->state = m->first_receive_ms ? MSG_INFLIGHT : MSG_DELAYED;
    } else {
        m->state = MSG_VISIBLE;
    }
    struct fifo_group *g = NULL;
    if (q->s.fifo) {
        g = group_table_get(&q->groups, m->group_id ? m->group_id : "", true);
        if (!g) {
            msg_heap_remove(&q->waiting, m);
            return false;
        }
        group_insert(g, m);
    } else if (m->state == MSG_VISIBLE) {
        ready_append(q, m);
    }
    age_insert(q, m);
    switch (m->state) {
    case MSG_VISIBLE: q->n_visible++; break;
    case MSG_DELAYED: q->n_delayed++; break;
    case MSG_INFLIGHT:
        q->n_inflight++;
        if (g)
            g->inflight++;
        break;
    }
    if (g)
        group_refresh(q, g);
    return true;
}

void msg_unlink(struct msg *m)
{
    struct sqs_queue *q = m->q;
    age_remove(q, m);
    switch (m->state) {
    case MSG_VISIBLE:
        q->n_visible--;
        if (!q->s.fifo)
            ready_remove(q, m);
        break;
    case MSG_DELAYED:
        q->n_delayed--;
        msg_heap_remove(&q->waiting, m);
        break;
    case MSG_INFLIGHT:
        q->n_inflight--;
        msg_heap_remove(&q->waiting, m);
        if (m->group)
            m->group->inflight--;
        break;
    }
    struct fifo_group *g = m->group;
    if (g) {
        if (m->prev)
            m->prev->next = m->next;
        else
            g->head = m->next;
        if (m->next)
            m->next->prev = m->prev;
        else
            g->tail = m->prev;
        m->prev = m->next = NULL;
        m->group = NULL;
        group_refresh(q, g);
    }
}

static void msg_delete(struct sqs_engine *e, struct msg *m, struct sqs_changes *changes)
{
    struct sqs_change *ch = change_add(changes, SQS_CHANGE_MESSAGE_DELETE);
    if (ch) {
        ch->queue_id = m->q->id;
        ch->seq = m->seq;
    }
    msg_unlink(m);
    msg_table_remove(&e->msgs, m->seq);
    msg_free(m);
}

static void make_visible(struct sqs_queue *q, struct msg *m)
{
    msg_heap_remove(&q->waiting, m);
    if (m->state == MSG_INFLIGHT) {
        q->n_inflight--;
        if (m->group)
            m->group->inflight--;
    } else {
        q->n_delayed--;
    }
    m->state = MSG_VISIBLE;
    q->n_visible++;
    if (m->group)
        group_refresh(q, m->group);
    else
        ready_append(q, m);
}

void queue_advance(struct sqs_engine *e, struct sqs_queue *q, int64_t now_ms,
                   struct sqs_changes *changes)
{
    int64_t retention_ms = (int64_t)q->s.retention_s * 1000;
    struct msg *m;
    while (changes && (m = q->oldest) && m->sent_ms + retention_ms <= now_ms)
        msg_delete(e, m, changes);
    while ((m = msg_heap_top(&q->waiting)) && m->visible_at_ms <= now_ms)
        make_visible(q, m);
}

void queue_drop_messages(struct sqs_engine *e, struct sqs_queue *q)
{
    struct msg *m = q->oldest;
    while (m) {
        struct msg *next = m->younger;
        msg_table_remove(&e->msgs, m->seq);
        msg_free(m);
        m = next;
    }
    q->oldest = q->youngest = NULL;
    q->waiting.n = q->groups_ready.n = 0;
    q->ready_head = q->ready_tail = NULL;
    q->n_visible = q->n_delayed = q->n_inflight = 0;
    group_table_free(&q->groups);
}

/* ---- send -------------------------------------------------------------------- */

static size_t attrs_size(const struct sqs_msg_attrs *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += strlen(a->items[i].name) + strlen(a->items[i].data_type) + a->items[i].value_len;
    return n;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, d, &n, EVP_sha256(), NULL))
        n = 0;
    hex_encode(d, n, out);
}

static enum sqs_err send_one(struct sqs_engine *e, const struct sqs_call *call, struct sqs_queue *q,
                             const struct sqs_send_entry *in, struct sqs_response *resp,
                             struct sqs_send_result *out, bool *now_visible, struct sqs_error *err)
{
    const char *invalid_for_type = "The request include parameter that is not valid for this "
                                   "queue type.";
    if (q->s.fifo) {
        if (!in->group_id || !*in->group_id)
            return sqs_error_set(err, SQS_ERR_MISSING_PARAMETER,
                                 "The request must contain the parameter MessageGroupId.");
        if (in->delay_seconds >= 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "Value %d for parameter DelaySeconds is invalid. Reason: %s",
                                 in->delay_seconds, invalid_for_type);
        if (!in->dedup_id && !q->s.content_dedup)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The queue should either have ContentBasedDeduplication enabled "
                                 "or MessageDeduplicationId provided explicitly");
    } else if (in->dedup_id) {
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Value %.128s for parameter MessageDeduplicationId is invalid. "
                             "Reason: %s", in->dedup_id, invalid_for_type);
    }
    if (in->body_len + attrs_size(&in->attrs) > (size_t)q->s.max_message_size)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "One or more parameters are invalid. Reason: Message must be "
                             "shorter than %d bytes.", q->s.max_message_size);
    out->id = in->id ? arena_strdup(&resp->arena, in->id) : NULL;
    sqs_md5_hex(in->body, in->body_len, out->md5_body);
    sqs_attrs_md5(&in->attrs, out->md5_attrs);
    sqs_attrs_md5(&in->system_attrs, out->md5_system_attrs);

    /* With ContentBasedDeduplication the id is the body's SHA-256, and the
     * message carries it as its MessageDeduplicationId, as on AWS. */
    char dedup_key[512] = "", sha[65];
    const char *dedup_id = in->dedup_id;
    if (q->s.fifo) {
        if (!dedup_id) {
            sha256_hex(in->body, in->body_len, sha);
            dedup_id = sha;
        }
        snprintf(dedup_key, sizeof(dedup_key), "%s\n%.256s",
                 q->s.dedup_scope_group ? in->group_id : "", dedup_id);
        struct dedup_entry *d = dedup_find(&q->dedup, dedup_key, call->now_ms);
        if (d) {
            out->message_id = arena_strdup(&resp->arena, d->message_id);
            out->sequence_number = arena_strdup(&resp->arena, d->sequence_number);
            return resp->arena.failed ? oom(err) : SQS_OK;
        }
    }

    struct strbuf attrs;
    strbuf_init(&attrs);
    sqs_attrs_encode(&in->attrs, &attrs);
    const char *trace = NULL;
    for (size_t i = 0; i < in->system_attrs.n; i++)
        if (strcmp(in->system_attrs.items[i].name, "AWSTraceHeader") == 0)
            trace = in->system_attrs.items[i].value;
    struct msg *m = strbuf_failed(&attrs)
                        ? NULL
                        : msg_alloc(in->body, in->body_len, (unsigned char *)attrs.data, attrs.len,
                                    q->s.fifo || in->group_id ? in->group_id : NULL, dedup_id,
                                    call->sender_id ? call->sender_id : call->account, trace);
    strbuf_free(&attrs);
    if (!m)
        return oom(err);
    m->seq = e->next_seq;
    m->q = q;
    engine_uuid(e, m->message_id);
    if (q->s.fifo)
        snprintf(m->sequence_number, sizeof(m->sequence_number), "1%019" PRIu64, m->seq);
    memcpy(m->md5_body, out->md5_body, sizeof(m->md5_body));
    m->sent_ms = call->now_ms;
    int delay = in->delay_seconds >= 0 ? in->delay_seconds : q->s.delay_seconds;
    m->visible_at_ms = call->now_ms + (int64_t)delay * 1000;
    /* The durable record is made first: nothing changes if it cannot be. */
    struct sqs_message_record *rec = NULL;
    struct sqs_change *ch = NULL;
    if (call->changes && (!(rec = message_record_of(m)) ||
                          !(ch = change_add(call->changes, SQS_CHANGE_MESSAGE_PUT)))) {
        message_record_free(rec);
        msg_free(m);
        call->changes->oom = false;
        return oom(err);
    }
    if (!msg_table_put(&e->msgs, m) || !msg_link(q, m, call->now_ms)) {
        msg_table_remove(&e->msgs, m->seq);
        if (ch)
            call->changes->n--;
        message_record_free(rec);
        msg_free(m);
        return oom(err);
    }
    e->next_seq++;
    if (ch) {
        ch->queue_id = q->id;
        ch->seq = m->seq;
        ch->message = rec;
    }
    /* Under memory pressure deduplication is best-effort: the send stands. */
    if (q->s.fifo)
        (void)dedup_add(&q->dedup, dedup_key, call->now_ms + DEDUP_WINDOW_MS, m->message_id,
                        m->sequence_number);
    out->message_id = arena_strdup(&resp->arena, m->message_id);
    if (q->s.fifo)
        out->sequence_number = arena_strdup(&resp->arena, m->sequence_number);
    if (m->state == MSG_VISIBLE)
        *now_visible = true;
    return resp->arena.failed ? oom(err) : SQS_OK;
}

static bool add_failure(struct sqs_response *resp, const char *id, const struct sqs_error *err)
{
    struct sqs_batch_failure *f = &resp->failed[resp->n_failed++];
    f->id = arena_strdup(&resp->arena, id ? id : "");
    f->sender_fault = sqs_err_sender_fault(err->code);
    f->code = arena_strdup(&resp->arena, sqs_err_query_code(err->code));
    f->message = arena_strdup(&resp->arena, err->message);
    return !resp->arena.failed;
}

/* SendMessage (one message: its failure fails the request) or
 * SendMessageBatch (`batch`: failed entries are listed in Failed). */
static enum sqs_err send_messages(struct sqs_engine *e, const struct sqs_call *call,
                                  const struct sqs_request *req, struct sqs_response *resp,
                                  bool batch, struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    size_t n = req->n_sends;
    resp->sent = arena_alloc(&resp->arena, n * sizeof(*resp->sent));
    resp->failed = arena_alloc(&resp->arena, n * sizeof(*resp->failed));
    if (!resp->sent || !resp->failed)
        return oom(err);
    bool visible = false;
    for (size_t i = 0; i < n; i++) {
        const struct sqs_send_entry *in = &req->sends[i];
        struct sqs_error entry_err = in->error;
        if (!entry_err.code)
            send_one(e, call, q, in, resp, &resp->sent[resp->n_sent], &visible, &entry_err);
        if (entry_err.code == SQS_ERR_INTERNAL) {
            *err = entry_err;
            return err->code;
        }
        if (!entry_err.code) {
            resp->n_sent++;
        } else if (!batch) {
            *err = entry_err;
            return err->code;
        } else if (!add_failure(resp, in->id, &entry_err)) {
            return oom(err);
        }
    }
    if (visible)
        notify_available(e, q);
    return SQS_OK;
}

enum sqs_err engine_send_message(struct sqs_engine *e, const struct sqs_call *call,
                                 const struct sqs_request *req, struct sqs_response *resp,
                                 struct sqs_error *err)
{
    return send_messages(e, call, req, resp, false, err);
}

enum sqs_err engine_send_message_batch(struct sqs_engine *e, const struct sqs_call *call,
                                       const struct sqs_request *req, struct sqs_response *resp,
                                       struct sqs_error *err)
{
    return send_messages(e, call, req, resp, true, err);
}

/* ---- receive -------------------------------------------------------------------- */

static void receipt_handle(const struct sqs_queue *q, const struct msg *m, char out[HANDLE_LEN + 1])
{
    snprintf(out, HANDLE_LEN + 1, "AQEB%016" PRIx64 "%016" PRIx64 "%016" PRIx64, q->id, m->seq,
             m->nonce);
}

static bool parse_handle(const char *h, uint64_t *qid, uint64_t *seq, uint64_t *nonce)
{
    if (strlen(h) != HANDLE_LEN || strncmp(h, "AQEB", 4) != 0)
        return false;
    uint64_t v[3] = {0, 0, 0};
    for (int part = 0; part < 3; part++) {
        for (int i = 0; i < 16; i++) {
            char c = h[4 + part * 16 + i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return false;
            v[part] = v[part] << 4 | (uint64_t)d;
        }
    }
    *qid = v[0];
    *seq = v[1];
    *nonce = v[2];
    return true;
}

static void deliver(struct sqs_engine *e, const struct sqs_call *call, struct sqs_queue *q,
                    struct msg *m, int visibility_s)
{
    if (!m->group)
        ready_remove(q, m);
    q->n_visible--;
    q->n_inflight++;
    m->state = MSG_INFLIGHT;
    m->receive_count++;
    if (!m->first_receive_ms)
        m->first_receive_ms = call->now_ms;
    m->received_at_ms = call->now_ms;
    m->visible_at_ms = call->now_ms + (int64_t)visibility_s * 1000;
    m->nonce = engine_random(e);
    if (!msg_heap_push(&q->waiting, m)) {
        /* cannot track its timeout: hand it out with no lease at all */
        m->state = MSG_VISIBLE;
        q->n_inflight--;
        q->n_visible++;
        if (!m->group)
            ready_append(q, m);
    } else if (m->group) {
        m->group->inflight++;
    }
    struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_MESSAGE_STATE);
    if (ch) {
        ch->queue_id = q->id;
        ch->seq = m->seq;
        ch->visible_at_ms = m->visible_at_ms;
        ch->first_receive_ms = m->first_receive_ms;
        ch->receive_count = m->receive_count;
        ch->receipt_nonce = m->nonce;
    }
}

/* Moves m to the queue's dead-letter queue; false if there is none. */
static bool redrive(struct sqs_engine *e, const struct sqs_call *call, struct sqs_queue *q,
                    struct msg *m)
{
    struct sqs_queue *dlq = engine_find_queue_by_arn(e, q->s.dlq_arn);
    if (!dlq || dlq == q)
        return false;
    char *source = strdup(q->arn);
    if (!source)
        return false;
    msg_unlink(m);
    free(m->dlq_source_arn);
    m->dlq_source_arn = source;
    m->visible_at_ms = call->now_ms;
    if (!msg_link(dlq, m, call->now_ms)) {
        msg_table_remove(&e->msgs, m->seq);
        msg_free(m);
        struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_MESSAGE_DELETE);
        if (ch) {
            ch->queue_id = q->id;
            ch->seq = m->seq;
        }
        return true;
    }
    struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_MESSAGE_PUT);
    if (ch) {
        ch->queue_id = dlq->id;
        ch->seq = m->seq;
        ch->message = message_record_of(m);
        if (!ch->message)
            call->changes->oom = true;
    }
    notify_available(e, dlq);
    return true;
}

static bool redrive_due(const struct sqs_queue *q, const struct msg *m)
{
    return q->s.dlq_arn && q->s.max_receive_count > 0 &&
           m->receive_count >= (uint32_t)q->s.max_receive_count;
}

static size_t take_standard(struct sqs_engine *e, const struct sqs_call *call, struct sqs_queue *q,
                            size_t max, int vt, struct msg **out)
{
    size_t n = 0;
    while (n < max && q->ready_head) {
        struct msg *m = q->ready_head;
        if (redrive_due(q, m) && redrive(e, call, q, m))
            continue;
        deliver(e, call, q, m, vt);
        out[n++] = m;
    }
    return n;
}

static size_t take_fifo(struct sqs_engine *e, const struct sqs_call *call, struct sqs_queue *q,
                        size_t max, int vt, struct msg **out)
{
    size_t n = 0;
    struct fifo_group *g;
    while (n < max && (g = group_heap_top(&q->groups_ready))) {
        group_heap_remove(&q->groups_ready, g);
        struct msg *m = g->head;
        bool group_gone = false;
        while (m && n < max && m->state == MSG_VISIBLE) {
            struct msg *next = m->next;
            if (redrive_due(q, m)) {
                bool last = !next && g->inflight == 0;
                if (redrive(e, call, q, m)) {
                    group_gone = last;   /* unlink freed the emptied group */
                    m = next;
                    continue;
                }
            }
            deliver(e, call, q, m, vt);
            out[n++] = m;
            m = next;
        }
        if (!group_gone)
            group_refresh(q, g);
    }
    return n;
}

static struct receive_attempt *find_attempt(struct sqs_queue *q, const char *id, int64_t now_ms)
{
    size_t keep = 0;
    struct receive_attempt *found = NULL;
    for (size_t i = 0; i < q->n_attempts; i++) {
        if (q->attempts[i].created_ms + ATTEMPT_WINDOW_MS <= now_ms) {
            free(q->attempts[i].id);
            continue;
        }
        q->attempts[keep++] = q->attempts[i];
    }
    q->n_attempts = keep;
    for (size_t i = 0; i < q->n_attempts; i++)
        if (strcmp(q->attempts[i].id, id) == 0)
            found = &q->attempts[i];
    return found;
}

static void remember_attempt(struct sqs_queue *q, const char *id, int64_t now_ms,
                             struct msg **msgs, size_t n)
{
    struct receive_attempt *a = find_attempt(q, id, now_ms);
    if (!a) {
        struct receive_attempt *grown = realloc(q->attempts, (q->n_attempts + 1) * sizeof(*grown));
        if (!grown)
            return;
        q->attempts = grown;
        a = &q->attempts[q->n_attempts];
        if (!(a->id = strdup(id)))
            return;
        q->n_attempts++;
    }
    a->created_ms = now_ms;
    a->n = n;
    for (size_t i = 0; i < n; i++) {
        a->seqs[i] = msgs[i]->seq;
        a->nonces[i] = msgs[i]->nonce;
    }
}

/* The messages of an earlier attempt, if all are still in flight with the
 * same receipt handles. */
static size_t replay_attempt(struct sqs_engine *e, struct sqs_queue *q,
                             const struct receive_attempt *a, struct msg **out)
{
    for (size_t i = 0; i < a->n; i++) {
        struct msg *m = msg_table_get(&e->msgs, a->seqs[i]);
        if (!m || m->q != q || m->nonce != a->nonces[i] || m->state != MSG_INFLIGHT)
            return 0;
        out[i] = m;
    }
    return a->n;
}

static bool wants(const struct sqs_str_list *names, const char *name, size_t len)
{
    for (size_t i = 0; i < names->n; i++) {
        const char *w = names->items[i];
        size_t wl = strlen(w);
        if (strcmp(w, "All") == 0 || strcmp(w, ".*") == 0)
            return true;
        if (wl == len && memcmp(w, name, len) == 0)
            return true;
        if (wl >= 2 && strcmp(w + wl - 2, ".*") == 0 && len >= wl - 1 &&
            memcmp(w, name, wl - 1) == 0)
            return true;
    }
    return false;
}

static bool wants_system(const struct sqs_request *req, const char *name)
{
    return wants(&req->names, name, strlen(name)) ||
           wants(&req->system_attribute_names, name, strlen(name));
}

static void add_system_attr(struct sqs_response *resp, struct sqs_received_message *r,
                            const char *name, const char *value)
{
    struct sqs_kv *kv = &r->system_attrs.items[r->system_attrs.n++];
    kv->key = (char *)name;
    kv->value = arena_strdup(&resp->arena, value);
}

static void fill_received(const struct sqs_request *req, struct sqs_response *resp,
                          struct sqs_received_message *r, const struct sqs_queue *q,
                          const struct msg *m)
{
    struct arena *a = &resp->arena;
    char handle[HANDLE_LEN + 1], num[24];
    receipt_handle(q, m, handle);
    r->message_id = arena_strdup(a, m->message_id);
    r->receipt_handle = arena_strdup(a, handle);
    memcpy(r->md5_body, m->md5_body, sizeof(r->md5_body));
    r->body = arena_memdup(a, m->body, m->body_len);
    r->body_len = m->body_len;
    r->system_attrs.items = arena_alloc(a, 12 * sizeof(struct sqs_kv));
    if (!r->system_attrs.items)
        return;
    if (wants_system(req, "SenderId"))
        add_system_attr(resp, r, "SenderId", m->sender_id ? m->sender_id : "");
    if (wants_system(req, "SentTimestamp")) {
        snprintf(num, sizeof(num), "%" PRId64, m->sent_ms);
        add_system_attr(resp, r, "SentTimestamp", num);
    }
    if (wants_system(req, "ApproximateReceiveCount")) {
        snprintf(num, sizeof(num), "%" PRIu32, m->receive_count);
        add_system_attr(resp, r, "ApproximateReceiveCount", num);
    }
    if (wants_system(req, "ApproximateFirstReceiveTimestamp")) {
        snprintf(num, sizeof(num), "%" PRId64, m->first_receive_ms);
        add_system_attr(resp, r, "ApproximateFirstReceiveTimestamp", num);
    }
    if (m->sequence_number[0] && wants_system(req, "SequenceNumber"))
        add_system_attr(resp, r, "SequenceNumber", m->sequence_number);
    if (m->group_id && wants_system(req, "MessageGroupId"))
        add_system_attr(resp, r, "MessageGroupId", m->group_id);
    if (m->dedup_id && wants_system(req, "MessageDeduplicationId"))
        add_system_attr(resp, r, "MessageDeduplicationId", m->dedup_id);
    if (m->trace_header && wants_system(req, "AWSTraceHeader"))
        add_system_attr(resp, r, "AWSTraceHeader", m->trace_header);
    if (m->dlq_source_arn && wants_system(req, "DeadLetterQueueSourceArn"))
        add_system_attr(resp, r, "DeadLetterQueueSourceArn", m->dlq_source_arn);

    size_t pos = 0, count = 0;
    struct sqs_attr_view v;
    while (sqs_attrs_next(m->attrs, m->attrs_len, &pos, &v))
        count++;
    if (count == 0 || req->message_attribute_names.n == 0)
        return;
    r->attrs.items = arena_alloc(a, count * sizeof(struct sqs_msg_attr));
    if (!r->attrs.items)
        return;
    pos = 0;
    while (sqs_attrs_next(m->attrs, m->attrs_len, &pos, &v)) {
        if (!wants(&req->message_attribute_names, v.name, v.name_len))
            continue;
        struct sqs_msg_attr *out = &r->attrs.items[r->attrs.n++];
        out->name = arena_memdup(a, v.name, v.name_len);
        out->data_type = arena_memdup(a, v.data_type, v.type_len);
        out->binary = v.binary;
        out->value = arena_memdup(a, v.value, v.value_len);
        out->value_len = v.value_len;
    }
    if (!a->failed)
        sqs_attrs_md5(&r->attrs, r->md5_attrs);
}

enum sqs_err engine_receive_message(struct sqs_engine *e, const struct sqs_call *call,
                                    const struct sqs_request *req, struct sqs_response *resp,
                                    struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    int vt = req->visibility_timeout >= 0 ? req->visibility_timeout : q->s.visibility_timeout;
    size_t max = req->max_messages > 0 ? (size_t)req->max_messages : 1;
    struct msg *taken[SQS_MAX_BATCH];
    size_t n = 0;
    const char *attempt = q->s.fifo ? req->receive_request_attempt_id : NULL;
    queue_advance(e, q, call->now_ms, call->changes);
    struct receive_attempt *earlier = attempt ? find_attempt(q, attempt, call->now_ms) : NULL;
    if (earlier)
        n = replay_attempt(e, q, earlier, taken);
    if (n == 0) {
        n = q->s.fifo ? take_fifo(e, call, q, max, vt, taken)
                      : take_standard(e, call, q, max, vt, taken);
        if (attempt)
            remember_attempt(q, attempt, call->now_ms, taken, n);
    }
    if (n == 0)
        return SQS_OK;
    resp->messages = arena_alloc(&resp->arena, n * sizeof(*resp->messages));
    if (!resp->messages)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        fill_received(req, resp, &resp->messages[i], q, taken[i]);
    resp->n_messages = n;
    return resp->arena.failed ? oom(err) : SQS_OK;
}

/* ---- delete and visibility --------------------------------------------------- */

static enum sqs_err invalid_handle(struct sqs_error *err, const char *h)
{
    return sqs_error_set(err, SQS_ERR_RECEIPT_HANDLE_IS_INVALID,
                         "The input receipt handle \"%.128s\" is not a valid receipt handle.", h);
}

static enum sqs_err delete_one(struct sqs_engine *e, const struct sqs_call *call,
                               struct sqs_queue *q, const char *handle, struct sqs_error *err)
{
    uint64_t qid, seq, nonce;
    if (!parse_handle(handle, &qid, &seq, &nonce) || qid != q->id)
        return invalid_handle(err, handle);
    struct msg *m = msg_table_get(&e->msgs, seq);
    if (!m || m->q != q || m->nonce != nonce)
        return SQS_OK;   /* already deleted, or a stale handle: succeeds, deletes nothing */
    struct fifo_group *g = m->group;
    bool unlocks = g && m->state == MSG_INFLIGHT && g->inflight == 1 && (g->head != m || m->next);
    msg_delete(e, m, call->changes);
    if (unlocks)
        notify_available(e, q);
    return SQS_OK;
}

static enum sqs_err change_visibility(struct sqs_engine *e, const struct sqs_call *call,
                                      struct sqs_queue *q, const char *handle, int vt,
                                      struct sqs_error *err)
{
    uint64_t qid, seq, nonce;
    if (!parse_handle(handle, &qid, &seq, &nonce) || qid != q->id)
        return invalid_handle(err, handle);
    struct msg *m = msg_table_get(&e->msgs, seq);
    if (!m || m->q != q || m->nonce != nonce)
        return sqs_error_set(err, SQS_ERR_RECEIPT_HANDLE_IS_INVALID,
                             "The receipt handle has expired.");
    if (m->state != MSG_INFLIGHT || m->visible_at_ms <= call->now_ms)
        return sqs_error_set(err, SQS_ERR_MESSAGE_NOT_INFLIGHT,
                             "Message does not exist or is not available for visibility timeout "
                             "change.");
    if ((call->now_ms - m->received_at_ms) / 1000 + vt > SQS_MAX_VISIBILITY)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Value %d for parameter VisibilityTimeout is invalid. Reason: Total "
                             "VisibilityTimeout for the message is beyond the limit [%d seconds]",
                             vt, SQS_MAX_VISIBILITY);
    m->visible_at_ms = call->now_ms + (int64_t)vt * 1000;
    msg_heap_fix(&q->waiting, m);
    struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_MESSAGE_STATE);
    if (ch) {
        ch->queue_id = q->id;
        ch->seq = m->seq;
        ch->visible_at_ms = m->visible_at_ms;
        ch->first_receive_ms = m->first_receive_ms;
        ch->receive_count = m->receive_count;
        ch->receipt_nonce = m->nonce;
    }
    if (vt == 0) {
        size_t before = q->n_visible;
        queue_advance(e, q, call->now_ms, call->changes);
        if (q->n_visible > before)
            notify_available(e, q);
    }
    return SQS_OK;
}

/* Deletes (or, with `visibility`, changes the visibility of) the messages
 * of the request's receipt handles: one, whose failure fails the request,
 * or a `batch`, whose failed entries are listed in Failed. */
static enum sqs_err handle_entries(struct sqs_engine *e, const struct sqs_call *call,
                                   const struct sqs_request *req, struct sqs_response *resp,
                                   bool batch, bool visibility, struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    size_t n = req->n_handles;
    resp->succeeded_ids.items = arena_alloc(&resp->arena, n * sizeof(char *));
    resp->failed = arena_alloc(&resp->arena, n * sizeof(*resp->failed));
    if (!resp->succeeded_ids.items || !resp->failed)
        return oom(err);
    for (size_t i = 0; i < n; i++) {
        const struct sqs_handle_entry *h = &req->handles[i];
        struct sqs_error entry_err = h->error;
        if (!entry_err.code) {
            if (visibility)
                change_visibility(e, call, q, h->receipt_handle, h->visibility_timeout, &entry_err);
            else
                delete_one(e, call, q, h->receipt_handle, &entry_err);
        }
        if (entry_err.code == SQS_ERR_INTERNAL || (!batch && entry_err.code)) {
            *err = entry_err;
            return err->code;
        }
        if (entry_err.code) {
            if (!add_failure(resp, h->id, &entry_err))
                return oom(err);
        } else if (batch) {
            resp->succeeded_ids.items[resp->succeeded_ids.n++] =
                arena_strdup(&resp->arena, h->id ? h->id : "");
        }
    }
    return resp->arena.failed ? oom(err) : SQS_OK;
}

enum sqs_err engine_delete_message(struct sqs_engine *e, const struct sqs_call *call,
                                   const struct sqs_request *req, struct sqs_response *resp,
                                   struct sqs_error *err)
{
    return handle_entries(e, call, req, resp, false, false, err);
}

enum sqs_err engine_delete_message_batch(struct sqs_engine *e, const struct sqs_call *call,
                                         const struct sqs_request *req, struct sqs_response *resp,
                                         struct sqs_error *err)
{
    return handle_entries(e, call, req, resp, true, false, err);
}

enum sqs_err engine_change_message_visibility(struct sqs_engine *e, const struct sqs_call *call,
                                              const struct sqs_request *req,
                                              struct sqs_response *resp, struct sqs_error *err)
{
    return handle_entries(e, call, req, resp, false, true, err);
}

enum sqs_err engine_change_message_visibility_batch(struct sqs_engine *e,
                                                    const struct sqs_call *call,
                                                    const struct sqs_request *req,
                                                    struct sqs_response *resp,
                                                    struct sqs_error *err)
{
    return handle_entries(e, call, req, resp, true, true, err);
}

/* ---- engine-wide ---------------------------------------------------------------- */

static struct sqs_queue *queue_by_id(struct sqs_engine *e, uint64_t id)
{
    for (size_t i = 0; i < e->n_queues; i++)
        if (e->queues[i]->id == id)
            return e->queues[i];
    return NULL;
}

enum sqs_err sqs_engine_load_message(struct sqs_engine *e, const struct sqs_message_record *rec,
                                     int64_t now_ms, struct sqs_error *err)
{
    struct sqs_queue *q = queue_by_id(e, rec->queue_id);
    if (!q)
        return sqs_error_set(err, SQS_ERR_QUEUE_DOES_NOT_EXIST,
                             "Message %s belongs to no loaded queue.", rec->message_id);
    struct msg *m = msg_from_record(rec);
    if (!m)
        return oom(err);
    if (msg_table_get(&e->msgs, m->seq) || !msg_table_put(&e->msgs, m)) {
        msg_free(m);
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Message %s cannot be loaded.", rec->message_id);
    }
    if (!msg_link(q, m, now_ms)) {
        msg_table_remove(&e->msgs, m->seq);
        msg_free(m);
        return oom(err);
    }
    if (m->seq >= e->next_seq)
        e->next_seq = m->seq + 1;
    if (q->s.fifo && m->dedup_id) {
        char key[512];
        snprintf(key, sizeof(key), "%s\n%.256s",
                 q->s.dedup_scope_group && m->group_id ? m->group_id : "", m->dedup_id);
        if (!dedup_find(&q->dedup, key, now_ms) && m->sent_ms + DEDUP_WINDOW_MS > now_ms)
            dedup_add(&q->dedup, key, m->sent_ms + DEDUP_WINDOW_MS, m->message_id,
                      m->sequence_number);
    }
    return SQS_OK;
}

int64_t sqs_engine_next_event_ms(const struct sqs_engine *e)
{
    int64_t next = move_tasks_next_ms(e);
    for (size_t i = 0; i < e->n_queues; i++) {
        const struct msg *m = msg_heap_top(&e->queues[i]->waiting);
        if (m && m->visible_at_ms < next)
            next = m->visible_at_ms;
    }
    return next;
}

void sqs_engine_tick(struct sqs_engine *e, int64_t now_ms, struct sqs_changes *changes)
{
    for (size_t i = 0; i < e->n_queues; i++) {
        struct sqs_queue *q = e->queues[i];
        size_t before = q->n_visible;
        queue_advance(e, q, now_ms, changes);
        if (q->n_visible > before)
            notify_available(e, q);
    }
    move_tasks_run(e, now_ms, changes);
}
