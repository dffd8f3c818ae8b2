/* strbuf: growable buffer used by every serializer; see strbuf.h. */
#include "protocol/core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb) { memset(sb, 0, sizeof(*sb)); }

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->oom = false;
    if (sb->data)
        sb->data[0] = '\0';
}

bool strbuf_failed(const struct strbuf *sb) { return sb->oom; }

bool strbuf_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->oom)
        return false;
    if (extra > SIZE_MAX / 2 - sb->len) {
        sb->oom = true;
        return false;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p) {
        sb->oom = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
    if (!strbuf_reserve(sb, len))
        return;
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s) { strbuf_append(sb, s, strlen(s)); }

void strbuf_putc(struct strbuf *sb, char c) { strbuf_append(sb, &c, 1); }

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->oom = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        strbuf_append(sb, small, (size_t)n);
        return;
    }
    if (!strbuf_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void strbuf_xml_escape(struct strbuf *sb, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\r': rep = "&#13;"; break;
        default: break;
        }
        if (rep) {
            strbuf_append(sb, s + start, i - start);
            strbuf_puts(sb, rep);
            start = i + 1;
        }
    }
    strbuf_append(sb, s + start, len - start);
}

void strbuf_xml_elem(struct strbuf *sb, const char *tag, const char *value)
{
    strbuf_putc(sb, '<');
    strbuf_puts(sb, tag);
    strbuf_putc(sb, '>');
    if (value)
        strbuf_xml_escape(sb, value, strlen(value));
    strbuf_puts(sb, "</");
    strbuf_puts(sb, tag);
    strbuf_putc(sb, '>');
}

void strbuf_json_string(struct strbuf *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_putc(sb, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_append(sb, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': strbuf_puts(sb, "\\\""); break;
        case '\\': strbuf_puts(sb, "\\\\"); break;
        case '\n': strbuf_puts(sb, "\\n"); break;
        case '\r': strbuf_puts(sb, "\\r"); break;
        case '\t': strbuf_puts(sb, "\\t"); break;
        default: {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            strbuf_puts(sb, esc);
        }
        }
    }
    strbuf_append(sb, s + start, len - start);
    strbuf_putc(sb, '"');
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *p = sb->data;
    if (len)
        *len = sb->len;
    strbuf_init(sb);
    return p;
}
