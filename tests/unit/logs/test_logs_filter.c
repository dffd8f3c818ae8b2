/* Unit tests for protocol/logs filter.c: term patterns (all, ?any,
 * -none, quoted phrases), JSON patterns (selectors, string globs, numbers,
 * IS / NOT EXISTS, && over ||, parentheses), space-delimited patterns
 * (fields, comparisons, "..."), refusals and what is not supported, and
 * messages holding U+0000. Messages are handed over in buffers of their
 * exact length and a NUL, so the sanitized build sees any read past them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/logs/filter.h"

struct filter_case {
    const char *pattern;
    const char *message;
    bool matches;
};

/* Matches len bytes of message, copied to a buffer of that size and a NUL. */
static bool match(const struct logs_filter *f, const char *message, size_t len)
{
    char *exact = malloc(len + 1);
    assert_non_null(exact);
    memcpy(exact, message, len);
    exact[len] = '\0';
    bool hit = logs_filter_match(f, exact, len);
    free(exact);
    return hit;
}

static void test_matching(void **state)
{
    (void)state;
    static const char *const event =
        "{\"level\":\"ERROR\",\"latency\":250,\"ok\":false,\"user\":{\"id\":\"u-7\",\"roles\":[\"admin\",\"dev\"]},"
        "\"note\":null}";
    static const struct filter_case cases[] = {
        {"", "anything", true},
        {"ERROR", "an ERROR here", true},
        {"ERROR", "an error here", false},
        {"ERROR timeout", "ERROR: timeout", true},
        {"ERROR timeout", "ERROR: refused", false},
        {"\"connection refused\"", "ERROR connection refused", true},
        {"\"connection refused\"", "refused connection", false},
        {"?ERROR ?WARN", "WARN disk", true},
        {"?ERROR ?WARN", "INFO disk", false},
        {"ERROR -retrying", "ERROR retrying", false},
        {"ERROR -retrying", "ERROR final", true},
        {"{ $.level = \"ERROR\" }", "{\"level\":\"ERROR\"}", true},
        {"{ $.level = ERROR }", "{\"level\":\"WARN\"}", false},
        {"{ $.level = \"ERR*\" }", "{\"level\":\"ERROR\"}", true},
        {"{ $.level != \"INFO\" }", "{\"level\":\"ERROR\"}", true},
        {"{ $.level != \"INFO\" }", "{\"other\":1}", false},
        {"{ $.latency > 100 }", NULL, true},
        {"{ $.latency >= 251 }", NULL, false},
        {"{ $.latency = 250 }", NULL, true},
        {"{ $.latency = 250.0 }", NULL, true},
        {"{ $.latency < 100 || $.ok IS FALSE }", NULL, true},
        {"{ $.latency < 100 && $.ok IS FALSE }", NULL, false},
        {"{ $.level = \"INFO\" || $.latency > 100 && $.ok IS TRUE }", NULL, false},
        {"{ ($.level = \"INFO\" || $.latency > 100) && $.ok IS FALSE }", NULL, true},
        {"{ $.user.id = \"u-7\" && $.user.roles[1] = \"dev\" }", NULL, true},
        {"{ $.user.roles[5] = \"dev\" }", NULL, false},
        {"{ $.note IS NULL }", NULL, true},
        {"{ $.missing NOT EXISTS }", NULL, true},
        {"{ $.note NOT EXISTS }", NULL, false},
        {"{ $.level = \"ERROR\" }", "ERROR but not JSON", false},
        {"[ip, user, status = 404, bytes]", "10.0.0.1 ann 404 512", true},
        {"[ip, user, status = 404, bytes]", "10.0.0.1 ann 200 512", false},
        {"[ip, user, status = 404, bytes]", "10.0.0.1 ann 404", false},
        {"[ip, user, status = 4*, bytes > 1000]", "10.0.0.1 ann 403 2048", true},
        {"[ip, user, status = 4*, bytes > 1000]", "10.0.0.1 ann 403 999", false},
        {"[ip, user, status != 200, bytes <= 10]", "10.0.0.1 ann 500 10", true},
        {"[..., status = 500]", "a b c d 500", true},
        {"[..., status = 500]", "500 a", false},
        {"[ip, ..., bytes >= 100]", "1.2.3.4 100", true},
        {"[ts, request = \"*GET*\", ...]", "[27/Nov/2026:10:00:00] \"GET /index.html HTTP/1.1\" 200 10", true},
        {"[ts, request = \"*POST*\", ...]", "[27/Nov/2026:10:00:00] \"GET /index.html HTTP/1.1\" 200 10", false},
        {"[a, ..., ..., b = x]", "1 2 3 x", true},
        {"%ERROR [0-9]+%", "2026 ERROR 503 upstream", true},
        {"%ERROR [0-9]+%", "2026 ERROR upstream", false},
        {"%^(GET|POST) /api/%", "POST /api/items", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct filter_case *c = &cases[i];
        struct logs_filter *f;
        const char *message;
        if (logs_filter_parse(c->pattern, &f, &message) != LOGS_FILTER_OK)
            fail_msg("case %zu: %s did not parse: %s", i, c->pattern, message ? message : "-");
        const char *text = c->message ? c->message : event;
        if (match(f, text, strlen(text)) != c->matches)
            fail_msg("case %zu: %s should %smatch", i, c->pattern, c->matches ? "" : "not ");
        logs_filter_free(f);
    }
}

/* A message is matched whole: U+0000 ends no term, field or string. */
static void test_messages_with_nul(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        const char *message;
        size_t len;
        bool matches;
    } cases[] = {
        {"after", "before\0after", 12, true},
        {"before after", "before\0after", 12, true},
        {"-after", "before\0after", 12, false},
        {"\"e a\"", "before\0after", 12, false},
        {"%after$%", "before\0after", 12, true},
        {"%^after%", "before\0after", 12, false},
        {"{ $.msg = \"a*b\" }", "{\"msg\":\"a\\u0000b\"}", 18, true},
        {"{ $.msg = \"a\" }", "{\"msg\":\"a\\u0000b\"}", 18, false},
        {"{ $.a = 1 }", "{\"a\":1}\0", 8, false},
        {"[a, b = x*]", "1 x\0y", 5, true},
        {"[a, b = x]", "1 x\0y", 5, false},
        {"[a, b > 5]", "1 9\0", 4, false},
        {"[a, b, c]", "1 \"2\0 3\" 4", 10, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct logs_filter *f;
        const char *message;
        if (logs_filter_parse(cases[i].pattern, &f, &message) != LOGS_FILTER_OK)
            fail_msg("case %zu: %s did not parse: %s", i, cases[i].pattern, message ? message : "-");
        if (match(f, cases[i].message, cases[i].len) != cases[i].matches)
            fail_msg("case %zu: %s should %smatch", i, cases[i].pattern, cases[i].matches ? "" : "not ");
        logs_filter_free(f);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        enum logs_filter_status status;
    } cases[] = {
        {"\"unterminated", LOGS_FILTER_INVALID},
        {"{ $.a = }", LOGS_FILTER_INVALID},
        {"{ a = 1 }", LOGS_FILTER_INVALID},
        {"{ $.a > high }", LOGS_FILTER_INVALID},
        {"{ $.a = 1", LOGS_FILTER_INVALID},
        {"{ ($.a = 1 }", LOGS_FILTER_INVALID},
        {"{ $.a IS MAYBE }", LOGS_FILTER_INVALID},
        {"{ $.a = 1 } extra", LOGS_FILTER_INVALID},
        {"{ $.a[x] = 1 }", LOGS_FILTER_INVALID},
        {"{ ((((((((((((((((($.a = 1))))))))))))))))) }", LOGS_FILTER_INVALID},
        {"[ip, user, status = 404 || status = 500]", LOGS_FILTER_UNSUPPORTED},
        {"[ip, user", LOGS_FILTER_INVALID},
        {"[ip, = 3]", LOGS_FILTER_INVALID},
        {"[ip, bytes > many]", LOGS_FILTER_INVALID},
        {"[ip] more", LOGS_FILTER_INVALID},
        {"%ERROR [0-9+%", LOGS_FILTER_INVALID},
        {"%(a)\\1%", LOGS_FILTER_INVALID},
        {"%unterminated", LOGS_FILTER_INVALID},
        {"%s++++++++++++++++++++++++++++++%", LOGS_FILTER_INVALID},
        {"%((a{100}){100}){100}%", LOGS_FILTER_INVALID},
        {"%a{1000000}%", LOGS_FILTER_INVALID},
        {"%((((((((((((((((((a)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+%", LOGS_FILTER_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct logs_filter *f;
        const char *message;
        if (logs_filter_parse(cases[i].pattern, &f, &message) != cases[i].status)
            fail_msg("case %zu: %s", i, cases[i].pattern);
        assert_null(f);
        assert_non_null(message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_messages_with_nul),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
