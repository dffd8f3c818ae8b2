/* protocol/events pattern values: comparable numbers, IP/CIDR literals and
 * wildcards for event patterns; see pattern_values.h. */
#include "protocol/events/pattern_values.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arrays ------------------------------------------------------------- */

bool events_vec_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need > SIZE_MAX / 2 / size)
        return false;
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*items, n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

/* ---- numbers ------------------------------------------------------------ */

/* Most significant digits a double's shortest decimal form can need. */
#define MAX_SIGNIFICANT 17

/* A decimal as 0.DIGITS x 10^exp, without leading or trailing zeros
 * (zero has no digits). */
struct decimal {
    bool negative;
    char digits[MAX_SIGNIFICANT];
    int n;
    long exp;
};

/* Normalizes JSON number text (or printf's %e output). False when it has
 * more significant digits than any double needs: such a number is never
 * comparable. */
static bool decimal_read(const char *t, struct decimal *d)
{
    memset(d, 0, sizeof(*d));
    if (*t == '-') {
        d->negative = true;
        t++;
    } else if (*t == '+') {
        t++;
    }
    long point = 0;                /* digits before the decimal point, once leading zeros go */
    bool seen_nonzero = false, in_fraction = false;
    int pending_zeros = 0;         /* zeros that count only if a non-zero digit follows */
    for (;; t++) {
        if (*t == '.') {
            in_fraction = true;
            continue;
        }
        if (*t < '0' || *t > '9')
            break;
        if (!seen_nonzero) {
            if (*t == '0') {
                if (in_fraction)
                    point--;
                continue;
            }
            seen_nonzero = true;
        }
        if (!in_fraction)
            point++;
        if (*t == '0') {
            pending_zeros++;
            continue;
        }
        if (d->n + pending_zeros + 1 > MAX_SIGNIFICANT)
            return false;
        while (pending_zeros > 0) {
            d->digits[d->n++] = '0';
            pending_zeros--;
        }
        d->digits[d->n++] = *t;
    }
    long e = 0;
    if (*t == 'e' || *t == 'E') {
        t++;
        bool neg = false;
        if (*t == '-' || *t == '+')
            neg = *t++ == '-';
        for (; *t >= '0' && *t <= '9'; t++)
            if (e < 1000000000L)
                e = e * 10 + (*t - '0');
        if (neg)
            e = -e;
    }
    d->exp = d->n ? point + e : 0;
    if (!d->n)
        d->negative = false;
    return true;
}

bool events_number_comparable(const char *text, double *out)
{
    struct decimal given;
    if (!decimal_read(text, &given))
        return false;
    double value = strtod(text, NULL);
    if (!isfinite(value))
        return false;
    char shortest[40];
    for (int precision = 1; precision <= MAX_SIGNIFICANT; precision++) {
        snprintf(shortest, sizeof(shortest), "%.*e", precision - 1, value);
        if (strtod(shortest, NULL) == value)
            break;
    }
    struct decimal printed;
    if (!decimal_read(shortest, &printed))
        return false;
    if (given.n != printed.n || given.exp != printed.exp || given.negative != printed.negative ||
        memcmp(given.digits, printed.digits, (size_t)given.n) != 0)
        return false;
    *out = value;
    return true;
}

/* ---- IP addresses ------------------------------------------------------- */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Four dot-separated runs of decimal digits, each at most 255. */
static enum events_ip_kind parse_v4(const char *s, size_t len, unsigned char out[16])
{
    size_t i = 0;
    bool too_big = false;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return EVENTS_IP_NONE;
            i++;
        }
        size_t start = i;
        unsigned value = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (value <= 255)
                value = value * 10 + (unsigned)(s[i] - '0');
        if (i == start)
            return EVENTS_IP_NONE;
        if (value > 255)
            too_big = true;
        out[part] = (unsigned char)value;
    }
    if (i != len)
        return EVENTS_IP_NONE;
    return too_big ? EVENTS_IP_INVALID : EVENTS_IP_V4;
}

enum events_ip_kind events_ip_parse(const char *s, size_t len, unsigned char out[16])
{
    enum events_ip_kind v4 = parse_v4(s, len, out);
    if (v4 != EVENTS_IP_NONE)
        return v4;
    bool colon = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':')
            colon = true;
        else if (!is_hex(s[i]))
            return EVENTS_IP_NONE;
    }
    if (!colon)
        return EVENTS_IP_NONE;
    char text[48];
    if (len >= sizeof(text))
        return EVENTS_IP_INVALID;
    memcpy(text, s, len);
    text[len] = '\0';
    unsigned char addr[16];
    if (inet_pton(AF_INET6, text, addr) != 1)
        return EVENTS_IP_INVALID;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
        memcpy(out, addr + 12, 4);
        return EVENTS_IP_V4;
    }
    memcpy(out, addr, 16);
    return EVENTS_IP_V6;
}

/* Java's Integer.parseInt: an optional sign, then decimal digits, within
 * 32 bits. */
static bool parse_java_int(const char *s, size_t len, long *out)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    if (i == len)
        return false;
    long value = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        value = value * 10 + (s[i] - '0');
        if (value > 2147483648L)
            return false;
    }
    if (!negative && value > 2147483647L)
        return false;
    *out = negative ? -value : value;
    return true;
}

bool events_cidr_parse(const char *s, size_t len, struct events_cidr *out, struct strbuf *reason)
{
    /* Java's split("/") drops trailing empty parts: "10.0.0.0/8/" is fine,
     * "10.0.0.0/" is not. */
    size_t end = len;
    while (end > 0 && s[end - 1] == '/')
        end--;
    const char *slash = memchr(s, '/', end);
    if (!slash || memchr(slash + 1, '/', end - (size_t)(slash + 1 - s))) {
        strbuf_puts(reason, "Malformed CIDR, one '/' required");
        return false;
    }
    size_t ip_len = (size_t)(slash - s);
    long mask;
    if (!parse_java_int(slash + 1, end - ip_len - 1, &mask)) {
        strbuf_puts(reason, "Malformed CIDR, mask bits must be an integer");
        return false;
    }
    if (mask < 0) {
        strbuf_puts(reason, "Malformed CIDR, mask bits must not be negative");
        return false;
    }
    unsigned char addr[16];
    enum events_ip_kind kind = events_ip_parse(s, ip_len, addr);
    if (kind == EVENTS_IP_NONE || kind == EVENTS_IP_INVALID) {
        strbuf_puts(reason, kind == EVENTS_IP_NONE ? "Nonstandard IP address: " : "Invalid IP address: ");
        strbuf_append(reason, s, ip_len);
        return false;
    }
    out->v6 = kind == EVENTS_IP_V6;
    int bits = out->v6 ? 128 : 32;
    if (mask > bits - 1) {
        strbuf_puts(reason, out->v6 ? "IPv6 mask bits must be < 128" : "IPv4 mask bits must be < 32");
        return false;
    }
    for (int i = 0; i < bits / 8; i++) {
        long fixed = mask - 8L * i;   /* bits of this byte that are fixed */
        unsigned char keep = fixed >= 8 ? 0xff : fixed <= 0 ? 0 : (unsigned char)(0xff << (8 - fixed));
        out->low[i] = addr[i] & keep;
        out->high[i] = addr[i] | (unsigned char)~keep;
    }
    return true;
}

bool events_cidr_contains(const struct events_cidr *c, enum events_ip_kind kind, const unsigned char addr[16])
{
    if (kind != (c->v6 ? EVENTS_IP_V6 : EVENTS_IP_V4))
        return false;
    size_t n = c->v6 ? 16 : 4;
    return memcmp(addr, c->low, n) >= 0 && memcmp(addr, c->high, n) <= 0;
}

/* ---- wildcards ---------------------------------------------------------- */

bool events_wildcard_check(const char *s, size_t len, struct strbuf *reason)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' && i + 1 < len && s[i + 1] == '*') {
            strbuf_printf(reason, "Consecutive wildcard characters at pos %zu", i + 1);
            return false;
        }
        if (s[i] == '\\') {
            if (i + 1 < len && (s[i + 1] == '*' || s[i + 1] == '\\')) {
                i++;
                continue;
            }
            strbuf_printf(reason, "Invalid escape character at pos %zu", i + 1);
            return false;
        }
    }
    return true;
}

size_t events_wildcard_stars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '*')
            n++;
    }
    return n;
}

size_t events_wildcard_split(const char *s, size_t len, char *text, uint32_t *runs)
{
    size_t n_runs = 0, out = 0, run_start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len) {
            text[out++] = s[++i];
        } else if (s[i] == '*') {
            runs[n_runs++] = (uint32_t)(out - run_start);
            run_start = out;
        } else {
            text[out++] = s[i];
        }
    }
    runs[n_runs++] = (uint32_t)(out - run_start);
    return n_runs;
}

bool events_wildcard_match(const char *text, const uint32_t *runs, size_t n_runs, const char *value,
                           size_t value_len)
{
    if (n_runs == 0)
        return false;
    if (n_runs == 1)
        return runs[0] == value_len && memcmp(text, value, value_len) == 0;
    size_t first = runs[0], last = runs[n_runs - 1];
    if (first + last > value_len || memcmp(value, text, first) != 0)
        return false;
    size_t text_end = 0;
    for (size_t i = 0; i < n_runs; i++)
        text_end += runs[i];
    if (memcmp(value + value_len - last, text + text_end - last, last) != 0)
        return false;
    /* Middle runs, greedily leftmost: a run found earlier never hurts the
     * runs after it, so no backtracking is needed. */
    const char *at = value + first, *limit = value + value_len - last;
    const char *run = text + first;
    for (size_t i = 1; i + 1 < n_runs; i++) {
        size_t n = runs[i];
        if (n > 0) {
            const char *found = memmem(at, (size_t)(limit - at), run, n);
            if (!found)
                return false;
            at = found + n;
        }
        run += n;
    }
    return true;
}

/* Complexity: a nondeterministic automaton over the values' bytes (with
 * their enclosing quotes), shaped as event-ruler builds it: the states up
 * to and including a value's first '*' are shared with the values that
 * begin the same way; after that each value has its own states; a '*'
 * state loops on every byte, and the byte after a '*' is reachable from
 * the state before the '*' too. Every state knows which terms pass through
 * it. The complexity of a set of live states is the number of terms behind
 * each state, summed, plus those behind a '*' state one step away; the
 * worst reachable set is searched breadth-first, over one representative
 * byte per distinct byte the values use and one for every other byte. */

#define STAR_TOKEN 256
#define MAX_SETS 4096              /* live-state sets explored before giving up (accepting) */
#define MAX_STEPS 200000           /* set expansions before giving up (accepting) */

struct cx_edge {
    int to, next;
    unsigned char byte;
};

struct cx_state {
    int first_edge;                /* literal transitions */
    int star;                      /* the '*' state this state reaches on any byte, or -1 */
    bool loops;                    /* a '*' state: stays on any byte */
    int *terms;                    /* term identities passing through */
    size_t n_terms, cap_terms;
};

struct cx {
    struct cx_state *states;
    size_t n_states, cap_states;
    struct cx_edge *edges;
    size_t n_edges, cap_edges;
    bool oom;
};

static int cx_new_state(struct cx *g)
{
    if (!events_vec_grow((void **)&g->states, &g->cap_states, g->n_states + 1, sizeof(*g->states))) {
        g->oom = true;
        return -1;
    }
    g->states[g->n_states] = (struct cx_state){.first_edge = -1, .star = -1};
    return (int)g->n_states++;
}

static void cx_add_edge(struct cx *g, int from, unsigned char byte, int to)
{
    for (int e = g->states[from].first_edge; e >= 0; e = g->edges[e].next)
        if (g->edges[e].byte == byte && g->edges[e].to == to)
            return;
    if (!events_vec_grow((void **)&g->edges, &g->cap_edges, g->n_edges + 1, sizeof(*g->edges))) {
        g->oom = true;
        return;
    }
    g->edges[g->n_edges] = (struct cx_edge){.to = to, .next = g->states[from].first_edge, .byte = byte};
    g->states[from].first_edge = (int)g->n_edges++;
}

static int cx_edge_to(const struct cx *g, int from, unsigned char byte)
{
    for (int e = g->states[from].first_edge; e >= 0; e = g->edges[e].next)
        if (g->edges[e].byte == byte)
            return g->edges[e].to;
    return -1;
}

static void cx_add_term(struct cx *g, int state, int term)
{
    struct cx_state *s = &g->states[state];
    for (size_t i = 0; i < s->n_terms; i++)
        if (s->terms[i] == term)
            return;
    if (!events_vec_grow((void **)&s->terms, &s->cap_terms, s->n_terms + 1, sizeof(*s->terms))) {
        g->oom = true;
        return;
    }
    s->terms[s->n_terms++] = term;
}

/* Tokens of one value: its quotes and unescaped bytes, '*' as STAR_TOKEN. */
static size_t cx_tokens(const char *s, size_t len, int *tokens)
{
    size_t n = 0;
    tokens[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len)
            tokens[n++] = (unsigned char)s[++i];
        else
            tokens[n++] = s[i] == '*' ? STAR_TOKEN : (unsigned char)s[i];
    }
    tokens[n++] = '"';
    return n;
}

static void cx_add_value(struct cx *g, const int *tokens, size_t n, int term, int *match_state)
{
    int current = 0, previous = -1;
    bool shared = true;            /* still in the prefix shared with other values */
    for (size_t i = 0; i < n && !g->oom; i++) {
        int token = tokens[i];
        bool terminal = i == n - 1;
        int next = -1;
        if (terminal)
            next = *match_state;
        else if (token == STAR_TOKEN && shared)
            next = g->states[current].star;
        else if (shared)
            next = cx_edge_to(g, current, (unsigned char)token);
        bool created = next < 0;
        if (created && (next = cx_new_state(g)) < 0)
            return;
        if (terminal)
            *match_state = next;
        if (token == STAR_TOKEN) {
            shared = false;
            g->states[current].star = next;
            g->states[next].loops = true;
        } else if (terminal || created) {
            cx_add_edge(g, current, (unsigned char)token, next);
            if (i > 0 && tokens[i - 1] == STAR_TOKEN)
                cx_add_edge(g, previous, (unsigned char)token, next);
        }
        cx_add_term(g, next, term);
        previous = current;
        current = next;
    }
}

static int cx_weight(const struct cx *g, int state) { return (int)g->states[state].n_terms; }

static int cx_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Explored sets: sorted state lists back to back in `pool`, found again
 * through an open-addressing table of their hashes. */
struct cx_seen {
    int *pool;
    size_t n_pool, cap_pool;
    size_t *offsets;               /* set i: pool[offsets[i] .. offsets[i + 1]) */
    size_t n_sets, cap_offsets;
    int table[2 * MAX_SETS];       /* set index + 1, 0 empty */
};

static uint32_t cx_hash(const int *set, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)set[i]) * 16777619u;
    return h;
}

/* Adds the set unless seen: 1 added, 0 seen, -1 out of memory, -2 full. */
static int cx_remember(struct cx_seen *seen, const int *set, size_t n)
{
    uint32_t slot = cx_hash(set, n) % (2 * MAX_SETS);
    for (;; slot = (slot + 1) % (2 * MAX_SETS)) {
        int id = seen->table[slot];
        if (id == 0)
            break;
        size_t start = seen->offsets[id - 1], end = seen->offsets[id];
        if (end - start == n && memcmp(seen->pool + start, set, n * sizeof(int)) == 0)
            return 0;
    }
    if (seen->n_sets >= MAX_SETS)
        return -2;
    if (!events_vec_grow((void **)&seen->pool, &seen->cap_pool, seen->n_pool + n, sizeof(int)) ||
        !events_vec_grow((void **)&seen->offsets, &seen->cap_offsets, seen->n_sets + 2, sizeof(size_t)))
        return -1;
    if (seen->n_sets == 0)
        seen->offsets[0] = 0;
    memcpy(seen->pool + seen->n_pool, set, n * sizeof(int));
    seen->n_pool += n;
    seen->offsets[++seen->n_sets] = seen->n_pool;
    seen->table[slot] = (int)seen->n_sets;
    return 1;
}

/* The live states after one more byte (`byte` 256: a byte no value uses),
 * sorted, in `next`; returns their count, or -1 past the complexity cap
 * (which *complexity then reports). */
static int cx_step(const struct cx *g, const int *set, size_t n, int byte, int *next, int *complexity)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cx_state *s = &g->states[set[i]];
        if (s->loops)
            next[m++] = set[i];
        if (s->star >= 0 && s->star != set[i])
            next[m++] = s->star;
        if (byte == 256)
            continue;
        for (int e = s->first_edge; e >= 0; e = g->edges[e].next)
            if (g->edges[e].byte == byte)
                next[m++] = g->edges[e].to;
    }
    qsort(next, m, sizeof(int), cx_cmp_int);
    size_t unique = 0;
    for (size_t i = 0; i < m; i++)
        if (unique == 0 || next[unique - 1] != next[i])
            next[unique++] = next[i];
    int total = 0;
    for (size_t i = 0; i < unique; i++) {
        total += cx_weight(g, next[i]);
        int star = g->states[next[i]].star;
        if (star >= 0 && !bsearch(&star, next, unique, sizeof(int), cx_cmp_int))
            total += cx_weight(g, star);
    }
    *complexity = total;
    return total > EVENTS_WILDCARD_MAX_COMPLEXITY ? -1 : (int)unique;
}

static int cx_search(const struct cx *g, const bool *alphabet, struct cx_seen *seen)
{
    int worst = 0;
    int start = 0;
    if (cx_remember(seen, &start, 1) < 0)
        return -1;
    /* The sets still to expand are the remembered ones past `cursor`. A
     * remembered set holds at most EVENTS_WILDCARD_MAX_COMPLEXITY + 1
     * states (each weighs at least 1 but the start), and one step from it
     * yields at most two states per state plus the edges taken. */
    int *next = malloc((g->n_edges + 2 * EVENTS_WILDCARD_MAX_COMPLEXITY + 8) * sizeof(int));
    if (!next)
        return -1;
    long steps = 0;
    for (size_t cursor = 0; cursor < seen->n_sets && steps < MAX_STEPS; cursor++) {
        for (int byte = 0; byte <= 256 && steps < MAX_STEPS; byte++) {
            if (byte < 256 && !alphabet[byte])
                continue;
            steps++;
            const int *set = seen->pool + seen->offsets[cursor];
            size_t n = seen->offsets[cursor + 1] - seen->offsets[cursor];
            int complexity;
            int m = cx_step(g, set, n, byte, next, &complexity);
            if (complexity > worst)
                worst = complexity;
            if (m < 0) {
                free(next);
                return worst;
            }
            int added = m > 0 ? cx_remember(seen, next, (size_t)m) : 0;
            if (added < 0) {
                free(next);
                /* full: explored as far as allowed, accept what was seen */
                return added == -1 ? -1 : worst;
            }
        }
    }
    free(next);
    return worst;
}

int events_wildcard_complexity(const struct events_wildcard_term *terms, size_t n_terms)
{
    struct cx g = {0};
    int result = -1;
    int *tokens = NULL;
    int *match_states = NULL;
    struct cx_seen *seen = calloc(1, sizeof(*seen));
    bool alphabet[256] = {false};
    size_t longest = 0;
    for (size_t t = 0; t < n_terms; t++)
        for (size_t v = 0; v < terms[t].n; v++)
            if (terms[t].lens[v] > longest)
                longest = terms[t].lens[v];
    tokens = malloc((longest + 2) * sizeof(int));
    match_states = malloc((n_terms + 1) * sizeof(int));
    if (!seen || !tokens || !match_states || cx_new_state(&g) < 0)
        goto done;
    for (size_t t = 0; t < n_terms && !g.oom; t++) {
        match_states[t] = -1;
        for (size_t v = 0; v < terms[t].n && !g.oom; v++) {
            size_t n = cx_tokens(terms[t].values[v], terms[t].lens[v], tokens);
            for (size_t i = 0; i < n; i++)
                if (tokens[i] != STAR_TOKEN)
                    alphabet[tokens[i]] = true;
            cx_add_value(&g, tokens, n, (int)t, &match_states[t]);
        }
    }
    if (!g.oom)
        result = cx_search(&g, alphabet, seen);
done:
    for (size_t i = 0; i < g.n_states; i++)
        free(g.states[i].terms);
    free(g.states);
    free(g.edges);
    if (seen) {
        free(seen->pool);
        free(seen->offsets);
        free(seen);
    }
    free(tokens);
    free(match_states);
    return result;
}
