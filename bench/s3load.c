/*
 * s3load: the load generator behind bench/run.sh. One thread, one epoll set,
 * N keep-alive HTTP/1.1 connections to an S3-compatible endpoint (or any HTTP
 * server for the GET modes), every request signed with AWS SigV4 exactly as
 * an SDK would (host;x-amz-content-sha256;x-amz-date, HMAC-SHA256 from
 * OpenSSL). Each connection keeps one request in flight; when its response has
 * been read the next request goes out at once, so the client never waits on
 * itself. Per-request latencies are kept and sorted at the end for p50/p99.
 *
 * Modes (first argument):
 *   put        PUT SIZE-byte bodies (default 4 KiB) to keys PREFIX<n>; every
 *              body is distinct (the key number is stamped into it) and is
 *              signed with its real SHA-256, as SDKs do.
 *   get        GET keys PREFIX0 .. PREFIX<keys-1> round-robin, bodies discarded.
 *   list       ListObjectsV2, max-keys=100, on PREFIX.
 *   large-put  one connection streams SIZE bytes generated on the fly
 *              (x-amz-content-sha256: UNSIGNED-PAYLOAD, Content-Length).
 *   large-get  GET PREFIX0 and discard SIZE-ish bytes of body.
 *   mkbucket   PUT /BUCKET once.
 *   startup    fork+exec the command after "--", then retry connect + GET PATH
 *              every 250 us until a 2xx arrives; prints the server's pid and
 *              the time from exec to that answer. The server keeps running.
 *   free-port  print a TCP port on 127.0.0.1 that was free a moment ago.
 * SQS modes (signed for service "sqs"; --queue-url names the queue):
 *   sqs-create       CreateQueue --queue NAME (JSON); prints queue_url=...
 *   sqs-send         SendMessage over the JSON protocol, SIZE-byte bodies
 *   sqs-send-query   SendMessage over the query protocol (form POST)
 *   sqs-send-batch   SendMessageBatch of 10 (JSON)
 *   sqs-recv-delete  ReceiveMessage (10) then DeleteMessageBatch of the
 *                    receipt handles it got: one round trip = both requests
 * Message bodies are printable text carrying the request number, so every
 * message differs. msgs= and mps= count messages sent or deleted.
 * EventBridge mode (signed for service "events"):
 *   events-put       PutEvents of 10 entries (Source bench.events, DetailType
 *                    bench, a small Detail carrying the request number);
 *                    msgs= and mps= count the events acknowledged.
 * Lambda mode (signed for service "lambda"):
 *   lambda-invoke    POST /2015-03-31/functions/FUNCTION/invocations with the
 *                    body {"n":<request number>} (RequestResponse); an answer
 *                    carrying X-Amz-Function-Error counts as an error.
 * DynamoDB modes (signed for service "dynamodb", JSON 1.0 with X-Amz-Target;
 * --table names the table, default bench): items are
 * {"pk":{"S":PREFIX<n / P>},"sk":{"N":<n % P>},"d":{"S":text}} with P the
 * --per-partition count (default 1) and text sized so the item is --size
 * bytes as DynamoDB counts them (default 1024 in these modes):
 *   ddb-create       CreateTable (pk S hash, sk N range, on demand)
 *   ddb-describe     DescribeTable once; prints table_status=...
 *   ddb-put          PutItem of item n
 *   ddb-get          GetItem of partition n % keys (sort key 0); msgs= counts
 *                    the items found
 *   ddb-query        Query of partition n % keys, all its items (100 when
 *                    populated with --per-partition 100); msgs= counts items
 * Runs for --duration seconds or exactly --requests requests, then drains the
 * requests in flight; in the SQS modes --messages N also stops it once N
 * messages were counted (sqs-recv-delete --messages N drains a queue). Output is one line of key=value pairs for scripts.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define READ_BUF_SIZE (256 * 1024)
#define PATTERN_SIZE (1024 * 1024)
#define HEADER_MAX (16 * 1024)
#define REQUEST_HEAD_MAX 2048
#define ERROR_SNIPPET_MAX 400

enum mode { MODE_PUT, MODE_GET, MODE_LIST, MODE_LARGE_PUT, MODE_LARGE_GET,
            MODE_MKBUCKET, MODE_STARTUP, MODE_FREE_PORT, MODE_SQS_CREATE, MODE_SQS_SEND,
            MODE_SQS_SEND_QUERY, MODE_SQS_SEND_BATCH, MODE_SQS_RECV_DELETE, MODE_LAMBDA_INVOKE,
            MODE_DDB_CREATE, MODE_DDB_DESCRIBE, MODE_DDB_PUT, MODE_DDB_GET, MODE_DDB_QUERY,
            MODE_EVENTS_PUT };

#define SQS_BATCH 10
#define SQS_BODY_MAX (64 * 1024)
#define CAPTURE_MAX (256 * 1024)

struct options {
    enum mode mode;
    const char *host;
    int port;
    const char *bucket;
    const char *prefix;
    const char *path;          /* startup: the path polled */
    const char *log_path;      /* startup: server stdout/stderr */
    char **command;            /* startup: argv after "--" */
    int connections;
    double duration;
    uint64_t requests;         /* 0: run for duration */
    uint64_t messages;         /* sqs modes: stop once this many were counted (0: no limit) */
    uint64_t keys;
    uint64_t size;
    double timeout;            /* seconds without progress before giving up */
    const char *access_key, *secret, *region;
    const char *queue;         /* sqs-create */
    const char *queue_url;     /* other SQS modes */
    const char *function;      /* lambda-invoke */
    const char *table;         /* ddb modes */
    uint64_t per_partition;    /* ddb modes: items per partition key */
};

/* Incremental HTTP/1.x response reader: status, headers, then a body framed
 * by Content-Length, chunked encoding or connection close. */
enum body_framing { FRAMING_LENGTH, FRAMING_CHUNKED, FRAMING_UNTIL_CLOSE };
enum parse_state { PS_HEADERS, PS_BODY, PS_CHUNK_SIZE, PS_CHUNK_DATA,
                   PS_CHUNK_DATA_END, PS_TRAILERS, PS_DONE };

struct response {
    enum parse_state state;
    char head[HEADER_MAX];
    size_t head_len;
    int status;
    bool close_after;
    enum body_framing framing;
    uint64_t body_left;        /* FRAMING_LENGTH and chunk data */
    char line[64];             /* chunk-size line being read */
    size_t line_len;
    uint64_t body_bytes;
    bool function_error;       /* lambda-invoke: X-Amz-Function-Error was present */
    char *capture;             /* SQS modes: the body is kept here (up to CAPTURE_MAX) */
    size_t capture_len;
};

struct conn {
    int fd;
    bool busy;
    bool want_write;
    char head[REQUEST_HEAD_MAX];
    size_t head_len, head_off;
    const unsigned char *body;     /* small bodies: sent from here */
    uint64_t body_len, body_off;   /* large-put: body_len > PATTERN_SIZE, sent from the pattern */
    unsigned char *put_body;       /* this connection's buffer for distinct PUT bodies */
    struct response resp;
    uint64_t started_ns;
    char *sqs_body;            /* SQS request body being sent */
    bool delete_next;          /* sqs-recv-delete: the receive got handles to delete */
    unsigned pending_msgs;     /* sqs-recv-delete: handles in the delete under way */
};

struct signer {
    const char *access_key, *secret, *region, *service;
    char day[9];
    unsigned char key[32];
    time_t stamped_at;
    char amz_date[17];
};

struct stats {
    uint64_t ok, errors, reconnects, issued, body_bytes, messages;
    uint64_t *latencies_ns;
    size_t latency_count, latency_cap;
    int first_error_status;
    char first_error_body[ERROR_SNIPPET_MAX + 1];
    size_t first_error_len;
};

struct run {
    const struct options *opt;
    struct signer signer;
    struct stats stats;
    struct conn *conns;
    int epfd;
    unsigned char *pattern;
    uint64_t deadline_ns;
    uint64_t last_progress_ns;
    bool stopping;
    char host_header[64];
    struct sockaddr_in addr;
    char queue_url[512];       /* sqs-create: from the answer */
    char table_status[32];     /* ddb-describe: from the answer */
};

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void fail(const char *message)
{
    fprintf(stderr, "s3load: %s\n", message);
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *checked_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        fail("out of memory");
    return p;
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(data, n, digest);
    hex_encode(digest, sizeof digest, out);
}

static void hmac_sha256(const void *key, size_t key_len, const char *msg, size_t msg_len,
                        unsigned char out[32])
{
    unsigned int out_len = 32;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, out, &out_len))
        fail("HMAC-SHA256 failed");
}

/* Refreshes x-amz-date once per second and the derived signing key once per day. */
static void signer_refresh(struct signer *s)
{
    time_t t = time(NULL);
    if (t == s->stamped_at)
        return;
    s->stamped_at = t;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        fail("gmtime_r failed");
    strftime(s->amz_date, sizeof s->amz_date, "%Y%m%dT%H%M%SZ", &tm);
    if (memcmp(s->day, s->amz_date, 8) == 0)
        return;
    memcpy(s->day, s->amz_date, 8);
    s->day[8] = '\0';
    char secret_key[256];
    int n = snprintf(secret_key, sizeof secret_key, "AWS4%s", s->secret);
    if (n < 0 || (size_t)n >= sizeof secret_key)
        fail("secret too long");
    unsigned char k_date[32], k_region[32], k_service[32];
    hmac_sha256(secret_key, (size_t)n, s->day, 8, k_date);
    hmac_sha256(k_date, 32, s->region, strlen(s->region), k_region);
    hmac_sha256(k_region, 32, s->service, strlen(s->service), k_service);
    hmac_sha256(k_service, 32, "aws4_request", 12, s->key);
}

/* Writes the request line and signed headers into out; returns its length.
 * path and query must already be in canonical (URI-encoded, sorted) form. */
static size_t build_signed_head(struct run *r, char *out, size_t cap, const char *method,
                                const char *path, const char *query, const char *payload_hash,
                                uint64_t content_length, bool has_body, const char *extra_headers)
{
    struct signer *s = &r->signer;
    signer_refresh(s);
    char canonical[1024];
    int n = snprintf(canonical, sizeof canonical,
                     "%s\n%s\n%s\nhost:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n\n"
                     "host;x-amz-content-sha256;x-amz-date\n%s",
                     method, path, query, r->host_header, payload_hash, s->amz_date, payload_hash);
    if (n < 0 || (size_t)n >= sizeof canonical)
        fail("canonical request too long");
    char canonical_hash[65];
    sha256_hex(canonical, (size_t)n, canonical_hash);
    char to_sign[512];
    n = snprintf(to_sign, sizeof to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
                 s->amz_date, s->day, s->region, s->service, canonical_hash);
    if (n < 0 || (size_t)n >= sizeof to_sign)
        fail("string to sign too long");
    unsigned char mac[32];
    hmac_sha256(s->key, 32, to_sign, (size_t)n, mac);
    char signature[65];
    hex_encode(mac, 32, signature);
    char length_header[48] = "";
    if (has_body)
        snprintf(length_header, sizeof length_header, "Content-Length: %" PRIu64 "\r\n",
                 content_length);
    n = snprintf(out, cap,
                 "%s %s%s%s HTTP/1.1\r\nHost: %s\r\nx-amz-date: %s\r\n"
                 "x-amz-content-sha256: %s\r\n"
                 "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
                 "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=%s\r\n"
                 "%s%s\r\n",
                 method, path, query[0] ? "?" : "", query, r->host_header, s->amz_date,
                 payload_hash, s->access_key, s->day, s->region, s->service, signature,
                 length_header, extra_headers);
    if (n < 0 || (size_t)n >= cap)
        fail("request head too long");
    return (size_t)n;
}

/* Keys and prefixes are generated or given by the bench; they must not need
 * URI encoding so that the path is already canonical. */
static void require_unreserved(const char *what, const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-._~/", *s)) {
            fprintf(stderr, "s3load: %s may only hold A-Z a-z 0-9 - . _ ~ /\n", what);
            exit(2);
        }
}

/* ---- response parsing ---- */

static void response_reset(struct response *resp)
{
    resp->state = PS_HEADERS;
    resp->head_len = 0;
    resp->status = 0;
    resp->close_after = false;
    resp->framing = FRAMING_UNTIL_CLOSE;
    resp->body_left = 0;
    resp->line_len = 0;
    resp->body_bytes = 0;
    resp->capture_len = 0;
    resp->function_error = false;
}

static void capture_body(struct response *resp, const char *p, size_t n)
{
    if (!resp->capture)
        return;
    if (n > CAPTURE_MAX - 1 - resp->capture_len)
        n = CAPTURE_MAX - 1 - resp->capture_len;
    memcpy(resp->capture + resp->capture_len, p, n);
    resp->capture_len += n;
    resp->capture[resp->capture_len] = '\0';
}

static bool header_is(const char *line, size_t len, const char *name, const char **value)
{
    size_t name_len = strlen(name);
    if (len <= name_len || line[name_len] != ':' || strncasecmp(line, name, name_len) != 0)
        return false;
    const char *v = line + name_len + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    *value = v;
    return true;
}

/* Interprets the complete header block in resp->head; returns false if malformed. */
static bool parse_head(struct response *resp, bool head_request)
{
    char *p = resp->head;
    char *end = resp->head + resp->head_len;
    if (resp->head_len < 12 || strncmp(p, "HTTP/1.", 7) != 0)
        return false;
    bool http10 = p[7] == '0';
    resp->status = atoi(p + 9);
    if (resp->status < 100 || resp->status > 599)
        return false;
    resp->close_after = http10;
    bool have_length = false;
    char *line = memchr(p, '\n', (size_t)(end - p));
    while (line && ++line < end) {
        char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            break;
        size_t len = (size_t)(eol - line);
        if (len && line[len - 1] == '\r')
            len--;
        const char *v;
        if (header_is(line, len, "content-length", &v)) {
            resp->body_left = strtoull(v, NULL, 10);
            have_length = true;
        } else if (header_is(line, len, "transfer-encoding", &v)) {
            if (strncasecmp(v, "chunked", 7) == 0)
                resp->framing = FRAMING_CHUNKED;
        } else if (header_is(line, len, "x-amz-function-error", &v)) {
            resp->function_error = true;
        } else if (header_is(line, len, "connection", &v)) {
            if (strncasecmp(v, "close", 5) == 0)
                resp->close_after = true;
            else if (strncasecmp(v, "keep-alive", 10) == 0)
                resp->close_after = false;
        }
        line = eol;
    }
    bool no_body = head_request || resp->status == 204 || resp->status == 304 ||
                   resp->status < 200;
    if (no_body) {
        resp->state = PS_DONE;
    } else if (resp->framing == FRAMING_CHUNKED) {
        resp->state = PS_CHUNK_SIZE;
    } else if (have_length) {
        resp->framing = FRAMING_LENGTH;
        resp->state = resp->body_left ? PS_BODY : PS_DONE;
    } else {
        resp->close_after = true;
        resp->state = PS_BODY;
    }
    return true;
}

static void keep_error_snippet(struct stats *st, const struct response *resp,
                               const char *data, size_t n)
{
    if (resp->status >= 200 && resp->status < 300)
        return;
    if (st->first_error_status && st->first_error_status != resp->status)
        return;
    st->first_error_status = resp->status;
    size_t room = ERROR_SNIPPET_MAX - st->first_error_len;
    if (n > room)
        n = room;
    memcpy(st->first_error_body + st->first_error_len, data, n);
    st->first_error_len += n;
    st->first_error_body[st->first_error_len] = '\0';
}

/* Consumes up to n bytes; returns the number used, or -1 on a protocol error.
 * resp->state becomes PS_DONE when the response is complete. */
static ssize_t response_feed(struct response *resp, struct stats *st, const char *data, size_t n)
{
    size_t used = 0;
    while (used < n && resp->state != PS_DONE) {
        const char *p = data + used;
        size_t left = n - used;
        switch (resp->state) {
        case PS_HEADERS: {
            size_t take = left;
            if (take > HEADER_MAX - 1 - resp->head_len)
                take = HEADER_MAX - 1 - resp->head_len;
            if (take == 0)
                return -1;
            size_t before = resp->head_len;
            memcpy(resp->head + before, p, take);
            resp->head_len += take;
            resp->head[resp->head_len] = '\0';
            size_t search_from = before > 3 ? before - 3 : 0;
            char *blank = strstr(resp->head + search_from, "\r\n\r\n");
            if (!blank) {
                used += take;
                break;
            }
            size_t head_end = (size_t)(blank - resp->head) + 4;
            used += head_end - before;
            resp->head_len = head_end;
            resp->head[head_end] = '\0';
            if (!parse_head(resp, false))
                return -1;
            break;
        }
        case PS_BODY: {
            size_t take = left;
            if (resp->framing == FRAMING_LENGTH && take > resp->body_left)
                take = (size_t)resp->body_left;
            keep_error_snippet(st, resp, p, take);
            capture_body(resp, p, take);
            resp->body_bytes += take;
            used += take;
            if (resp->framing == FRAMING_LENGTH && (resp->body_left -= take) == 0)
                resp->state = PS_DONE;
            break;
        }
        case PS_CHUNK_SIZE:
        case PS_CHUNK_DATA_END:
        case PS_TRAILERS: {
            char c = *p;
            used++;
            if (c != '\n') {
                if (resp->line_len >= sizeof resp->line - 1) {
                    if (resp->state == PS_CHUNK_SIZE)
                        return -1;
                } else if (c != '\r') {
                    resp->line[resp->line_len++] = c;
                }
                break;
            }
            resp->line[resp->line_len] = '\0';
            size_t line_len = resp->line_len;
            resp->line_len = 0;
            if (resp->state == PS_CHUNK_DATA_END) {
                resp->state = PS_CHUNK_SIZE;
            } else if (resp->state == PS_TRAILERS) {
                if (line_len == 0)
                    resp->state = PS_DONE;
            } else {
                char *hex_end;
                resp->body_left = strtoull(resp->line, &hex_end, 16);
                if (hex_end == resp->line)
                    return -1;
                resp->state = resp->body_left ? PS_CHUNK_DATA : PS_TRAILERS;
            }
            break;
        }
        case PS_CHUNK_DATA: {
            size_t take = left < resp->body_left ? left : (size_t)resp->body_left;
            keep_error_snippet(st, resp, p, take);
            capture_body(resp, p, take);
            resp->body_bytes += take;
            used += take;
            if ((resp->body_left -= take) == 0)
                resp->state = PS_CHUNK_DATA_END;
            break;
        }
        case PS_DONE:
            break;
        }
    }
    return (ssize_t)used;
}

/* ---- connections ---- */

static int connect_to(const struct sockaddr_in *addr, bool nonblocking)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        die("setsockopt TCP_NODELAY");
    if (nonblocking && fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
        die("fcntl O_NONBLOCK");
    return fd;
}

static void conn_close(struct run *r, struct conn *c)
{
    if (c->fd < 0)
        return;
    if (epoll_ctl(r->epfd, EPOLL_CTL_DEL, c->fd, NULL) != 0)
        die("epoll_ctl DEL");
    close(c->fd);
    c->fd = -1;
    c->want_write = false;
}

static void conn_open(struct run *r, struct conn *c)
{
    c->fd = connect_to(&r->addr, true);
    if (c->fd < 0)
        die("connect");
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        die("epoll_ctl ADD");
}

static void conn_watch_writes(struct run *r, struct conn *c, bool on)
{
    if (c->want_write == on)
        return;
    c->want_write = on;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        die("epoll_ctl MOD");
}

static void format_key(const struct options *opt, uint64_t n, char *out, size_t cap)
{
    int len = snprintf(out, cap, "/%s/%s%" PRIu64, opt->bucket, opt->prefix, n);
    if (len < 0 || (size_t)len >= cap)
        fail("key too long");
}

/* ---- SQS requests ---- */

static bool is_sqs_mode(enum mode m)
{
    return m >= MODE_SQS_CREATE && m <= MODE_SQS_RECV_DELETE;
}

/* The JSON-protocol modes whose answers are read for a count of messages. */
static bool is_json_mode(enum mode m)
{
    return is_sqs_mode(m) || m == MODE_EVENTS_PUT;
}

/* A printable message body of `size` bytes that carries the number n. */
static void message_text(uint64_t n, unsigned k, size_t size, char *out)
{
    int len = snprintf(out, size + 1, "m-%" PRIu64 "-%u-", n, k);
    if (len < 0)
        fail("snprintf");
    for (size_t i = (size_t)len; i < size; i++)
        out[i] = (char)('a' + i % 26);
    out[size] = '\0';
}

/* Appends `fmt` to the body at *len, failing if it does not fit. */
static void body_add(char *body, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void body_add(char *body, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(body + *len, SQS_BODY_MAX - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= SQS_BODY_MAX - *len)
        fail("SQS request body too long (lower --size)");
    *len += (size_t)n;
}

/* The next JSON string value after `"name"` at or after *from; copied raw
 * (still JSON-escaped) into out. False when there is none. */
static bool next_json_string(const char **from, const char *name, char *out, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", name);
    const char *p = strstr(*from, key);
    if (!p)
        return false;
    p += strlen(key);
    p += strspn(p, " \t\r\n:");
    if (*p != '"')
        return false;
    const char *start = ++p;
    while (*p && *p != '"')
        p += (*p == '\\' && p[1]) ? 2 : 1;
    if (*p != '"' || (size_t)(p - start) >= cap)
        return false;
    memcpy(out, start, (size_t)(p - start));
    out[p - start] = '\0';
    *from = p + 1;
    return true;
}

static unsigned count_occurrences(const char *text, const char *needle)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void url_encode(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (; *in; in++) {
        if (o + 4 > cap)
            fail("queue URL too long");
        if (isalnum((unsigned char)*in) || strchr("-._~", *in))
            out[o++] = *in;
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", (unsigned char)*in);
    }
    out[o] = '\0';
}

/* Builds SQS request n (or the delete of what the last receive returned). */
static void prepare_sqs_request(struct run *r, struct conn *c, uint64_t n)
{
    const struct options *opt = r->opt;
    char *b = c->sqs_body;
    size_t len = 0;
    const char *target = NULL;
    char text[SQS_BODY_MAX / SQS_BATCH];
    size_t text_size = opt->size < sizeof text ? (size_t)opt->size : sizeof text - 1;
    switch (opt->mode) {
    case MODE_SQS_CREATE:
        target = "CreateQueue";
        body_add(b, &len, "{\"QueueName\":\"%s\"}", opt->queue);
        break;
    case MODE_SQS_SEND:
        target = "SendMessage";
        message_text(n, 0, text_size, text);
        body_add(b, &len, "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"}", opt->queue_url, text);
        break;
    case MODE_SQS_SEND_QUERY: {
        char url[1024];
        url_encode(opt->queue_url, url, sizeof url);
        message_text(n, 0, text_size, text);
        body_add(b, &len, "Action=SendMessage&Version=2012-11-05&QueueUrl=%s&MessageBody=%s", url, text);
        break;
    }
    case MODE_SQS_SEND_BATCH:
        target = "SendMessageBatch";
        body_add(b, &len, "{\"QueueUrl\":\"%s\",\"Entries\":[", opt->queue_url);
        for (unsigned k = 0; k < SQS_BATCH; k++) {
            message_text(n, k, text_size, text);
            body_add(b, &len, "%s{\"Id\":\"e%u\",\"MessageBody\":\"%s\"}", k ? "," : "", k, text);
        }
        body_add(b, &len, "]}");
        break;
    case MODE_SQS_RECV_DELETE:
        if (!c->delete_next) {
            target = "ReceiveMessage";
            body_add(b, &len, "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":%d}", opt->queue_url, SQS_BATCH);
            break;
        }
        target = "DeleteMessageBatch";
        body_add(b, &len, "{\"QueueUrl\":\"%s\",\"Entries\":[", opt->queue_url);
        const char *from = c->resp.capture;
        char handle[2048];
        c->pending_msgs = 0;
        while (c->pending_msgs < SQS_BATCH && next_json_string(&from, "ReceiptHandle", handle, sizeof handle)) {
            body_add(b, &len, "%s{\"Id\":\"d%u\",\"ReceiptHandle\":\"%s\"}", c->pending_msgs ? "," : "",
                     c->pending_msgs, handle);
            c->pending_msgs++;
        }
        body_add(b, &len, "]}");
        break;
    case MODE_EVENTS_PUT:
        target = "PutEvents";
        body_add(b, &len, "{\"Entries\":[");
        for (unsigned k = 0; k < SQS_BATCH; k++)
            body_add(b, &len, "%s{\"Source\":\"bench.events\",\"DetailType\":\"bench\","
                     "\"Detail\":\"{\\\"n\\\":%" PRIu64 ",\\\"k\\\":%u}\"}", k ? "," : "", n, k);
        body_add(b, &len, "]}");
        break;
    default:
        fail("not an SQS mode");
    }
    char headers[160];
    if (opt->mode == MODE_EVENTS_PUT)
        snprintf(headers, sizeof headers,
                 "Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSEvents.%s\r\n", target);
    else if (target)
        snprintf(headers, sizeof headers,
                 "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.%s\r\n", target);
    else
        snprintf(headers, sizeof headers, "Content-Type: application/x-www-form-urlencoded\r\n");
    char hash[65];
    sha256_hex(b, len, hash);
    c->body = (const unsigned char *)b;
    c->body_len = len;
    c->head_len = build_signed_head(r, c->head, sizeof c->head, "POST", "/", "", hash, len, true,
                                    headers);
}

/* Books a finished SQS response; true when the round trip is complete
 * (false: a delete follows the receive). */
static bool sqs_response_done(struct run *r, struct conn *c, bool ok)
{
    const char *body = c->resp.capture ? c->resp.capture : "";
    switch (r->opt->mode) {
    case MODE_SQS_CREATE: {
        const char *from = body;
        if (ok && !next_json_string(&from, "QueueUrl", r->queue_url, sizeof r->queue_url))
            r->queue_url[0] = '\0';
        return true;
    }
    case MODE_SQS_SEND:
    case MODE_SQS_SEND_QUERY:
        r->stats.messages += ok;
        return true;
    case MODE_SQS_SEND_BATCH:
        if (ok)
            r->stats.messages += count_occurrences(body, "\"MessageId\"");
        return true;
    case MODE_EVENTS_PUT:
        if (ok)
            r->stats.messages += count_occurrences(body, "\"EventId\"");
        return true;
    case MODE_SQS_RECV_DELETE:
        if (c->delete_next) {
            c->delete_next = false;
            if (ok)
                r->stats.messages += c->pending_msgs;
            return true;
        }
        c->delete_next = ok && strstr(body, "\"ReceiptHandle\"") != NULL;
        return !c->delete_next;
    default:
        return true;
    }
}

/* ---- DynamoDB requests ---- */

static bool is_ddb_mode(enum mode m)
{
    return m >= MODE_DDB_CREATE && m <= MODE_DDB_QUERY;
}

/* The item size DynamoDB counts: attribute names plus values (a number
 * of d digits counts (d + 1) / 2 + 1 bytes). */
static size_t ddb_payload_size(const struct options *opt, const char *pk, const char *sk)
{
    size_t fixed = strlen("pk") + strlen(pk) + strlen("sk") + (strlen(sk) + 1) / 2 + 1 + strlen("d");
    return opt->size > fixed + 16 ? (size_t)opt->size - fixed : 16;
}

static void prepare_ddb_request(struct run *r, struct conn *c, uint64_t n)
{
    const struct options *opt = r->opt;
    char *b = c->sqs_body;
    size_t len = 0;
    const char *target = NULL;
    char pk[128], sk[32];
    uint64_t partition = opt->mode == MODE_DDB_PUT ? n / opt->per_partition : n % opt->keys;
    snprintf(pk, sizeof pk, "%s%" PRIu64, opt->prefix, partition);
    snprintf(sk, sizeof sk, "%" PRIu64, opt->mode == MODE_DDB_PUT ? n % opt->per_partition : 0);
    switch (opt->mode) {
    case MODE_DDB_CREATE:
        target = "CreateTable";
        body_add(b, &len,
                 "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
                 "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                 "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],"
                 "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
                 "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]}",
                 opt->table);
        break;
    case MODE_DDB_DESCRIBE:
        target = "DescribeTable";
        body_add(b, &len, "{\"TableName\":\"%s\"}", opt->table);
        break;
    case MODE_DDB_PUT: {
        target = "PutItem";
        char text[SQS_BODY_MAX / 2];
        size_t size = ddb_payload_size(opt, pk, sk);
        if (size >= sizeof text)
            fail("ddb-put --size too large");
        message_text(n, 0, size, text);
        body_add(b, &len,
                 "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"%s\"},"
                 "\"d\":{\"S\":\"%s\"}}}",
                 opt->table, pk, sk, text);
        break;
    }
    case MODE_DDB_GET:
        target = "GetItem";
        body_add(b, &len, "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"0\"}}}",
                 opt->table, pk);
        break;
    case MODE_DDB_QUERY:
        target = "Query";
        body_add(b, &len,
                 "{\"TableName\":\"%s\",\"KeyConditionExpression\":\"pk = :p\","
                 "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"%s\"}}}",
                 opt->table, pk);
        break;
    default:
        fail("not a DynamoDB mode");
    }
    char headers[160];
    snprintf(headers, sizeof headers,
             "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n", target);
    char hash[65];
    sha256_hex(b, len, hash);
    c->body = (const unsigned char *)b;
    c->body_len = len;
    c->head_len = build_signed_head(r, c->head, sizeof c->head, "POST", "/", "", hash, len, true, headers);
}

/* Books a finished DynamoDB response: items found (msgs=), the status
 * DescribeTable answered. */
static void ddb_response_done(struct run *r, struct conn *c, bool ok)
{
    const char *body = c->resp.capture ? c->resp.capture : "";
    if (!ok)
        return;
    switch (r->opt->mode) {
    case MODE_DDB_DESCRIBE: {
        const char *from = body;
        if (!next_json_string(&from, "TableStatus", r->table_status, sizeof r->table_status))
            r->table_status[0] = '\0';
        break;
    }
    case MODE_DDB_GET:
        r->stats.messages += strstr(body, "\"Item\"") != NULL;
        break;
    case MODE_DDB_QUERY: {
        const char *count = strstr(body, "\"Count\"");
        if (count)
            r->stats.messages += strtoull(count + strlen("\"Count\"") + strspn(count + 7, " :"), NULL, 10);
        break;
    }
    default:
        break;
    }
}

/* Fills c->head (and body pointers) with request number n of the run. */
static void prepare_request(struct run *r, struct conn *c, uint64_t n)
{
    const struct options *opt = r->opt;
    char path[512];
    c->body = NULL;
    c->body_len = c->body_off = 0;
    c->head_off = 0;
    if (is_json_mode(opt->mode)) {
        prepare_sqs_request(r, c, n);
        return;
    }
    if (is_ddb_mode(opt->mode)) {
        prepare_ddb_request(r, c, n);
        return;
    }
    switch (opt->mode) {
    case MODE_LAMBDA_INVOKE: {
        snprintf(path, sizeof path, "/2015-03-31/functions/%s/invocations", opt->function);
        size_t len = 0;
        body_add(c->sqs_body, &len, "{\"n\":%" PRIu64 "}", n);
        char hash[65];
        sha256_hex(c->sqs_body, len, hash);
        c->body = (const unsigned char *)c->sqs_body;
        c->body_len = len;
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "POST", path, "", hash, len, true,
                                        "Content-Type: application/json\r\n");
        break;
    }
    case MODE_PUT: {
        format_key(opt, n, path, sizeof path);
        memcpy(c->put_body, &n, sizeof n);
        char hash[65];
        sha256_hex(c->put_body, opt->size, hash);
        c->body = c->put_body;
        c->body_len = opt->size;
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "PUT", path, "", hash,
                                        opt->size, true, "");
        break;
    }
    case MODE_GET:
        format_key(opt, n % opt->keys, path, sizeof path);
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "GET", path, "",
                                        EMPTY_SHA256, 0, false, "");
        break;
    case MODE_LARGE_GET:
        format_key(opt, 0, path, sizeof path);
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "GET", path, "",
                                        EMPTY_SHA256, 0, false, "");
        break;
    case MODE_LIST: {
        char query[300];
        int len = snprintf(query, sizeof query, "list-type=2&max-keys=100&prefix=%s",
                           opt->prefix);
        if (len < 0 || (size_t)len >= sizeof query)
            fail("prefix too long");
        snprintf(path, sizeof path, "/%s", opt->bucket);
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "GET", path, query,
                                        EMPTY_SHA256, 0, false, "");
        break;
    }
    case MODE_LARGE_PUT:
        format_key(opt, n, path, sizeof path);
        c->body_len = opt->size;
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "PUT", path, "",
                                        "UNSIGNED-PAYLOAD", opt->size, true, "");
        break;
    case MODE_MKBUCKET:
        snprintf(path, sizeof path, "/%s", opt->bucket);
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "PUT", path, "",
                                        EMPTY_SHA256, 0, true, "");
        break;
    case MODE_STARTUP:
        c->head_len = build_signed_head(r, c->head, sizeof c->head, "GET", opt->path, "",
                                        EMPTY_SHA256, 0, false, "");
        break;
    case MODE_FREE_PORT:
    default:
        fail("free-port sends no requests");
    }
}

/* Writes as much of the pending request as the socket takes; returns false
 * if the connection broke. */
static bool conn_send(struct run *r, struct conn *c)
{
    while (c->head_off < c->head_len || c->body_off < c->body_len) {
        struct iovec iov[2];
        int count = 0;
        if (c->head_off < c->head_len) {
            iov[count].iov_base = c->head + c->head_off;
            iov[count++].iov_len = c->head_len - c->head_off;
        }
        if (c->body_off < c->body_len) {
            uint64_t left = c->body_len - c->body_off;
            if (c->body) {
                iov[count].iov_base = (void *)(c->body + c->body_off);
                iov[count++].iov_len = (size_t)left;
            } else {
                size_t at = (size_t)(c->body_off % PATTERN_SIZE);
                size_t len = PATTERN_SIZE - at;
                if (len > left)
                    len = (size_t)left;
                iov[count].iov_base = r->pattern + at;
                iov[count++].iov_len = len;
            }
        }
        ssize_t w = writev(c->fd, iov, count);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                conn_watch_writes(r, c, true);
                return true;
            }
            return false;
        }
        r->last_progress_ns = now_ns();
        size_t sent = (size_t)w;
        size_t head_part = c->head_len - c->head_off;
        if (head_part > sent)
            head_part = sent;
        c->head_off += head_part;
        c->body_off += sent - head_part;
    }
    conn_watch_writes(r, c, false);
    return true;
}

static bool budget_left(struct run *r)
{
    if (r->stopping)
        return false;
    if (r->opt->messages && r->stats.messages >= r->opt->messages) {
        r->stopping = true;
        return false;
    }
    if (r->opt->requests)
        return r->stats.issued < r->opt->requests;
    if (now_ns() >= r->deadline_ns) {
        r->stopping = true;
        return false;
    }
    return true;
}

static void record_latency(struct stats *st, uint64_t ns)
{
    if (st->latency_count == st->latency_cap) {
        size_t cap = st->latency_cap ? st->latency_cap * 2 : 65536;
        uint64_t *grown = realloc(st->latencies_ns, cap * sizeof *grown);
        if (!grown)
            fail("out of memory for latencies");
        st->latencies_ns = grown;
        st->latency_cap = cap;
    }
    st->latencies_ns[st->latency_count++] = ns;
}

static void issue_next(struct run *r, struct conn *c)
{
    if (!c->delete_next && !budget_left(r))
        return;
    if (c->fd < 0) {
        conn_open(r, c);
        r->stats.reconnects++;
    }
    uint64_t n = c->delete_next ? r->stats.issued : r->stats.issued++;
    if (!c->delete_next)
        c->started_ns = now_ns();
    prepare_request(r, c, n);
    response_reset(&c->resp);
    c->busy = true;
    if (!conn_send(r, c)) {
        r->stats.errors++;
        c->busy = false;
        conn_close(r, c);
    }
}

static void finish_response(struct run *r, struct conn *c)
{
    struct stats *st = &r->stats;
    uint64_t done = now_ns();
    bool ok = c->resp.status >= 200 && c->resp.status < 300 && !c->resp.function_error;
    c->busy = false;
    bool round_trip_done = !is_json_mode(r->opt->mode) || sqs_response_done(r, c, ok) || !ok;
    if (is_ddb_mode(r->opt->mode))
        ddb_response_done(r, c, ok);
    if (round_trip_done) {
        record_latency(st, done - c->started_ns);
        st->body_bytes += c->resp.body_bytes;
        if (ok)
            st->ok++;
        else
            st->errors++;
    }
    bool still_sending = c->head_off < c->head_len || c->body_off < c->body_len;
    if (c->resp.close_after || still_sending)
        conn_close(r, c);
}

/* Handles a readable connection with one read (epoll is level-triggered, so
 * anything left wakes us again): parses, completes and re-issues. */
static void conn_readable(struct run *r, struct conn *c, char *buf)
{
    ssize_t got = read(c->fd, buf, READ_BUF_SIZE);
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        got = 0;
    }
    if (got == 0) {
        bool until_close = c->busy && c->resp.state == PS_BODY &&
                           c->resp.framing == FRAMING_UNTIL_CLOSE;
        if (until_close) {
            c->resp.state = PS_DONE;
            finish_response(r, c);
        } else if (c->busy) {
            r->stats.errors++;
            c->busy = false;
        }
        conn_close(r, c);
        issue_next(r, c);
        return;
    }
    r->last_progress_ns = now_ns();
    if (!c->busy) {
        fprintf(stderr, "s3load: unexpected bytes from the server\n");
        conn_close(r, c);
        issue_next(r, c);
        return;
    }
    size_t off = 0;
    while (off < (size_t)got && c->resp.state != PS_DONE) {
        ssize_t used = response_feed(&c->resp, &r->stats, buf + off, (size_t)got - off);
        if (used < 0) {
            fprintf(stderr, "s3load: malformed response\n");
            r->stats.errors++;
            c->busy = false;
            conn_close(r, c);
            issue_next(r, c);
            return;
        }
        off += (size_t)used;
    }
    if (c->resp.state != PS_DONE)
        return;
    finish_response(r, c);
    if (off < (size_t)got && c->fd >= 0) {
        fprintf(stderr, "s3load: server sent bytes past the response\n");
        conn_close(r, c);
    }
    issue_next(r, c);
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double percentile_ms(const struct stats *st, double p)
{
    if (st->latency_count == 0)
        return 0.0;
    size_t i = (size_t)(p * (double)(st->latency_count - 1) + 0.5);
    return (double)st->latencies_ns[i] / 1e6;
}

static const char *mode_name(enum mode m)
{
    static const char *const names[] = { "put", "get", "list", "large-put", "large-get",
                                         "mkbucket", "startup", "free-port", "sqs-create",
                                         "sqs-send", "sqs-send-query", "sqs-send-batch",
                                         "sqs-recv-delete", "lambda-invoke", "ddb-create",
                                         "ddb-describe", "ddb-put", "ddb-get", "ddb-query",
                                         "events-put" };
    return names[m];
}

static void print_results(struct run *r, uint64_t elapsed_ns)
{
    struct stats *st = &r->stats;
    qsort(st->latencies_ns, st->latency_count, sizeof *st->latencies_ns, compare_u64);
    double seconds = (double)elapsed_ns / 1e9;
    double payload = r->opt->mode == MODE_PUT || r->opt->mode == MODE_LARGE_PUT
                         ? (double)(st->ok * r->opt->size)
                         : (double)st->body_bytes;
    printf("mode=%s ok=%" PRIu64 " errors=%" PRIu64 " reconnects=%" PRIu64
           " seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f mbps=%.1f"
           " msgs=%" PRIu64 " mps=%.1f%s%s%s%s\n",
           mode_name(r->opt->mode), st->ok, st->errors, st->reconnects, seconds,
           seconds > 0 ? (double)st->ok / seconds : 0.0, percentile_ms(st, 0.50),
           percentile_ms(st, 0.99), percentile_ms(st, 1.0),
           seconds > 0 ? payload / seconds / 1e6 : 0.0, st->messages,
           seconds > 0 ? (double)st->messages / seconds : 0.0,
           r->queue_url[0] ? " queue_url=" : "", r->queue_url,
           r->table_status[0] ? " table_status=" : "", r->table_status);
    if (st->first_error_status)
        fprintf(stderr, "s3load: first error: HTTP %d %s\n", st->first_error_status,
                st->first_error_body);
}

static void run_load(struct run *r)
{
    const struct options *opt = r->opt;
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0)
        die("epoll_create1");
    r->conns = calloc((size_t)opt->connections, sizeof *r->conns);
    if (!r->conns)
        fail("out of memory");
    unsigned char run_nonce[8];
    if (getrandom(run_nonce, sizeof run_nonce, 0) != sizeof run_nonce)
        die("getrandom");
    for (int i = 0; i < opt->connections; i++) {
        struct conn *c = &r->conns[i];
        c->fd = -1;
        if (is_json_mode(opt->mode) || is_ddb_mode(opt->mode) || opt->mode == MODE_LAMBDA_INVOKE) {
            c->sqs_body = checked_malloc(SQS_BODY_MAX);
            c->resp.capture = checked_malloc(CAPTURE_MAX);
            c->resp.capture[0] = '\0';
        }
        if (opt->mode == MODE_PUT) {
            c->put_body = checked_malloc(opt->size);
            memcpy(c->put_body, r->pattern, opt->size);
            if (opt->size >= 16)
                memcpy(c->put_body + 8, run_nonce, sizeof run_nonce);
        }
        conn_open(r, c);
    }
    char *buf = checked_malloc(READ_BUF_SIZE);
    uint64_t start = now_ns();
    r->deadline_ns = start + (uint64_t)(opt->duration * 1e9);
    r->last_progress_ns = start;
    uint64_t last_done = start;
    for (int i = 0; i < opt->connections; i++)
        issue_next(r, &r->conns[i]);
    struct epoll_event events[64];
    for (;;) {
        bool any_busy = false;
        for (int i = 0; i < opt->connections; i++)
            any_busy |= r->conns[i].busy;
        if (!any_busy)
            break;
        int n = epoll_wait(r->epfd, events, 64, 50);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->fd < 0)
                continue;
            if (events[i].events & EPOLLOUT) {
                if (!conn_send(r, c)) {
                    r->stats.errors++;
                    c->busy = false;
                    conn_close(r, c);
                    issue_next(r, c);
                    continue;
                }
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                uint64_t done_before = r->stats.ok + r->stats.errors;
                conn_readable(r, c, buf);
                if (r->stats.ok + r->stats.errors != done_before)
                    last_done = now_ns();
            }
        }
        if (!opt->requests && now_ns() >= r->deadline_ns)
            r->stopping = true;
        if (now_ns() - r->last_progress_ns > (uint64_t)(opt->timeout * 1e9)) {
            fprintf(stderr, "s3load: no progress for %.0f s, giving up\n", opt->timeout);
            for (int i = 0; i < opt->connections; i++)
                if (r->conns[i].busy) {
                    r->stats.errors++;
                    r->conns[i].busy = false;
                }
            break;
        }
    }
    print_results(r, last_done - start);
    free(buf);
    for (int i = 0; i < opt->connections; i++) {
        conn_close(r, &r->conns[i]);
        free(r->conns[i].put_body);
        free(r->conns[i].sqs_body);
        free(r->conns[i].resp.capture);
    }
    free(r->conns);
    close(r->epfd);
}

/* ---- startup ---- */

static pid_t spawn_server(const struct options *opt)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid > 0)
        return pid;
    int log_fd = open(opt->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0 || dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0) {
        perror("s3load: server log");
        _exit(127);
    }
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0) {
        perror("s3load: /dev/null");
        _exit(127);
    }
    if (setsid() < 0) {
        perror("s3load: setsid");
        _exit(127);
    }
    execvp(opt->command[0], opt->command);
    perror("s3load: exec");
    _exit(127);
}

/* One blocking request on an open socket; returns the HTTP status or -1. */
static int blocking_request(struct run *r, int fd)
{
    struct conn c = { .fd = fd };
    prepare_request(r, &c, 0);
    response_reset(&c.resp);
    size_t off = 0;
    while (off < c.head_len) {
        ssize_t w = write(fd, c.head + off, c.head_len - off);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    struct timeval tv = { .tv_sec = 2 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        die("setsockopt SO_RCVTIMEO");
    char buf[4096];
    while (c.resp.state != PS_DONE) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0)
            return c.resp.state == PS_BODY && c.resp.framing == FRAMING_UNTIL_CLOSE && got == 0
                       ? c.resp.status : -1;
        size_t used = 0;
        while (used < (size_t)got && c.resp.state != PS_DONE) {
            ssize_t n = response_feed(&c.resp, &r->stats, buf + used, (size_t)got - used);
            if (n < 0)
                return -1;
            used += (size_t)n;
        }
    }
    return c.resp.status;
}

static void run_startup(struct run *r)
{
    const struct options *opt = r->opt;
    if (!opt->command || !opt->command[0])
        fail("startup needs the server command after --");
    uint64_t start = now_ns();
    pid_t pid = spawn_server(opt);
    uint64_t give_up = start + (uint64_t)(opt->timeout * 1e9);
    for (;;) {
        int fd = connect_to(&r->addr, false);
        if (fd >= 0) {
            int status = blocking_request(r, fd);
            close(fd);
            if (status >= 200 && status < 300)
                break;
        }
        int wstatus;
        pid_t exited = waitpid(pid, &wstatus, WNOHANG);
        if (exited < 0)
            die("waitpid");
        if (exited == pid) {
            fprintf(stderr, "s3load: server exited during start-up (see %s)\n", opt->log_path);
            exit(1);
        }
        if (now_ns() > give_up) {
            fprintf(stderr, "s3load: no 2xx answer within %.0f s\n", opt->timeout);
            if (kill(pid, SIGKILL) != 0)
                die("kill");
            exit(1);
        }
        struct timespec pause = { .tv_nsec = 250000 };
        nanosleep(&pause, NULL);
    }
    printf("mode=startup pid=%d startup_ms=%.2f\n", (int)pid, (double)(now_ns() - start) / 1e6);
}

static void print_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("bind");
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        die("getsockname");
    printf("%d\n", ntohs(addr.sin_port));
    close(fd);
}

/* ---- options ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: s3load MODE [options] [-- server command (startup)]\n"
            "modes: put get list large-put large-get mkbucket startup free-port\n"
            "  --host ADDR (127.0.0.1)   --port N (4566)        --bucket NAME (bench)\n"
            "  --prefix P (key-)         --connections N (16)   --duration S (5)\n"
            "  --requests N (0: use duration)  --keys N (1000)  --size BYTES (4096)\n"
            "  --timeout S (30)          --path P (/)           --log FILE (/dev/null)\n"
            "  --access-key K (test)     --secret S (test)      --region R (us-east-1)\n"
            "  --queue NAME (sqs-create) --queue-url URL (other sqs-* modes)\n"
            "  --messages N (sqs modes: stop after N messages)\n"
            "sqs modes: sqs-create sqs-send sqs-send-query sqs-send-batch sqs-recv-delete\n"
            "lambda mode: lambda-invoke --function NAME\n"
            "ddb modes: ddb-create ddb-describe ddb-put ddb-get ddb-query\n"
            "  --table NAME (bench)      --per-partition N (1)  --size: item bytes (1024)\n"
            "eventbridge mode: events-put\n");
    exit(2);
}

static enum mode parse_mode(const char *s)
{
    for (int m = MODE_PUT; m <= MODE_EVENTS_PUT; m++)
        if (strcmp(s, mode_name((enum mode)m)) == 0)
            return (enum mode)m;
    usage();
    return MODE_PUT;
}

static uint64_t parse_count(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end)
        usage();
    return v;
}

static double parse_seconds(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0)
        usage();
    return v;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        { "host", required_argument, NULL, 'H' },   { "port", required_argument, NULL, 'p' },
        { "bucket", required_argument, NULL, 'b' }, { "prefix", required_argument, NULL, 'k' },
        { "connections", required_argument, NULL, 'c' },
        { "duration", required_argument, NULL, 'd' },
        { "requests", required_argument, NULL, 'n' },
        { "messages", required_argument, NULL, 'M' },
        { "keys", required_argument, NULL, 'K' },   { "size", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' }, { "path", required_argument, NULL, 'P' },
        { "log", required_argument, NULL, 'l' },
        { "access-key", required_argument, NULL, 'a' },
        { "secret", required_argument, NULL, 'S' }, { "region", required_argument, NULL, 'r' },
        { "queue", required_argument, NULL, 'Q' }, { "queue-url", required_argument, NULL, 'U' },
        { "function", required_argument, NULL, 'F' },
        { "table", required_argument, NULL, 'T' },
        { "per-partition", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    if (argc < 2)
        usage();
    *opt = (struct options){
        .mode = parse_mode(argv[1]), .host = "127.0.0.1", .port = 4566, .bucket = "bench",
        .prefix = "key-", .path = "/", .log_path = "/dev/null", .connections = 16,
        .duration = 5, .keys = 1000, .size = 4096, .timeout = 30,
        .access_key = "test", .secret = "test", .region = "us-east-1",
        .table = "bench", .per_partition = 1,
    };
    if (is_ddb_mode(opt->mode))
        opt->size = 1024;
    optind = 2;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'H': opt->host = optarg; break;
        case 'p': opt->port = (int)parse_count(optarg); break;
        case 'b': opt->bucket = optarg; break;
        case 'k': opt->prefix = optarg; break;
        case 'c': opt->connections = (int)parse_count(optarg); break;
        case 'd': opt->duration = parse_seconds(optarg); break;
        case 'n': opt->requests = parse_count(optarg); break;
        case 'M': opt->messages = parse_count(optarg); break;
        case 'K': opt->keys = parse_count(optarg); break;
        case 's': opt->size = parse_count(optarg); break;
        case 't': opt->timeout = parse_seconds(optarg); break;
        case 'P': opt->path = optarg; break;
        case 'l': opt->log_path = optarg; break;
        case 'a': opt->access_key = optarg; break;
        case 'S': opt->secret = optarg; break;
        case 'r': opt->region = optarg; break;
        case 'Q': opt->queue = optarg; break;
        case 'U': opt->queue_url = optarg; break;
        case 'F': opt->function = optarg; break;
        case 'T': opt->table = optarg; break;
        case 'D': opt->per_partition = parse_count(optarg); break;
        default: usage();
        }
    }
    if (optind < argc)
        opt->command = argv + optind;
    if (opt->connections < 1 || opt->keys < 1 || opt->port < 1 || opt->port > 65535)
        usage();
    if (opt->mode == MODE_PUT && (opt->size < 16 || opt->size > PATTERN_SIZE))
        fail("put --size must be between 16 bytes and 1 MiB");
    if (opt->mode == MODE_LARGE_PUT || opt->mode == MODE_LARGE_GET) {
        opt->connections = 1;
        if (!opt->requests)
            opt->requests = 1;
    }
    if (opt->mode == MODE_SQS_CREATE) {
        opt->connections = 1;
        opt->requests = 1;
        if (!opt->queue)
            fail("sqs-create needs --queue");
        require_unreserved("--queue", opt->queue);
    } else if (is_sqs_mode(opt->mode)) {
        if (!opt->queue_url || strpbrk(opt->queue_url, "\"\\"))
            fail("SQS modes need --queue-url (no quotes or backslashes)");
    }
    if (opt->mode == MODE_LAMBDA_INVOKE) {
        if (!opt->function)
            fail("lambda-invoke needs --function");
        require_unreserved("--function", opt->function);
    }
    if (is_ddb_mode(opt->mode)) {
        require_unreserved("--table", opt->table);
        if (opt->per_partition < 1)
            usage();
        if (opt->mode == MODE_DDB_CREATE || opt->mode == MODE_DDB_DESCRIBE) {
            opt->connections = 1;
            opt->requests = 1;
        }
    }
    if (opt->mode == MODE_MKBUCKET) {
        opt->connections = 1;
        opt->requests = 1;
    }
    require_unreserved("--bucket", opt->bucket);
    require_unreserved("--prefix", opt->prefix);
    require_unreserved("--path", opt->path);
}

int main(int argc, char **argv)
{
    struct options opt;
    parse_options(argc, argv, &opt);
    if (opt.mode == MODE_FREE_PORT) {
        print_free_port();
        return 0;
    }
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        die("signal");
    struct run r = { .opt = &opt };
    r.signer = (struct signer){ .access_key = opt.access_key, .secret = opt.secret,
                                .region = opt.region,
                                .service = is_sqs_mode(opt.mode)                 ? "sqs"
                                           : is_ddb_mode(opt.mode)          ? "dynamodb"
                                           : opt.mode == MODE_LAMBDA_INVOKE ? "lambda"
                                           : opt.mode == MODE_EVENTS_PUT    ? "events"
                                                                            : "s3" };
    r.addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
    if (inet_pton(AF_INET, opt.host, &r.addr.sin_addr) != 1)
        fail("--host must be an IPv4 address");
    snprintf(r.host_header, sizeof r.host_header, "%s:%d", opt.host, opt.port);
    r.pattern = checked_malloc(PATTERN_SIZE);
    for (size_t off = 0; off < PATTERN_SIZE;) {
        ssize_t got = getrandom(r.pattern + off, PATTERN_SIZE - off, 0);
        if (got < 0)
            die("getrandom");
        off += (size_t)got;
    }
    if (opt.mode == MODE_STARTUP)
        run_startup(&r);
    else
        run_load(&r);
    free(r.stats.latencies_ns);
    free(r.pattern);
    return r.stats.errors ? 1 : 0;
}
