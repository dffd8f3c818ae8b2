/* strbuf: a growable byte buffer with a sticky out-of-memory flag.
 *
 * Serializers append many small pieces; instead of checking every append,
 * a failed allocation sets `oom` and later appends do nothing, so the caller
 * checks `strbuf_failed()` once at the end. Always NUL-terminated when
 * `data` is non-NULL. */
#ifndef CLOUDLESS_STRBUF_H
#define CLOUDLESS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
bool strbuf_failed(const struct strbuf *sb);
/* Ensures room for `extra` more bytes plus the terminator. */
bool strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends `s` with XML's five special characters escaped. */
void strbuf_xml_escape(struct strbuf *sb, const char *s, size_t len);
/* Appends <tag>escaped value</tag>. */
void strbuf_xml_elem(struct strbuf *sb, const char *tag, const char *value);
/* Appends `s` as a JSON string literal, quotes included. */
void strbuf_json_string(struct strbuf *sb, const char *s, size_t len);
/* Takes the buffer away from `sb` (caller frees); `sb` becomes empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
