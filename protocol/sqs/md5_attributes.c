/* md5_attributes: MD5OfMessageBody and MD5OfMessageAttributes.
 *
 * AWS hashes message attributes in a length-prefixed binary form, sorted by
 * name: for each attribute, 4-byte big-endian length + UTF-8 name, 4-byte
 * length + data type, one transport byte (1 = String/Number, 2 = Binary),
 * 4-byte length + value. The same self-delimiting form is what the engine
 * stores, so a received message's attributes are hashed by re-encoding the
 * selected subset. */
#include "protocol/sqs/sqs.h"
#include "protocol/core/hex.h"

#include <openssl/evp.h>
#include <string.h>

void sqs_md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, digest, &n, EVP_md5(), NULL) || n != 16) {
        out[0] = '\0';
        return;
    }
    hex_encode(digest, n, out);
}

static void put_len_prefixed(struct strbuf *out, const char *s, size_t len)
{
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len};
    strbuf_append(out, be, 4);
    strbuf_append(out, s, len);
}

void sqs_attrs_encode(const struct sqs_msg_attrs *attrs, struct strbuf *out)
{
    for (size_t i = 0; i < attrs->n; i++) {
        const struct sqs_msg_attr *a = &attrs->items[i];
        put_len_prefixed(out, a->name, strlen(a->name));
        put_len_prefixed(out, a->data_type, strlen(a->data_type));
        strbuf_putc(out, a->binary ? 2 : 1);
        put_len_prefixed(out, a->value, a->value_len);
    }
}

void sqs_attrs_md5(const struct sqs_msg_attrs *attrs, char out[33])
{
    out[0] = '\0';
    if (attrs->n == 0)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    sqs_attrs_encode(attrs, &sb);
    if (!strbuf_failed(&sb))
        sqs_md5_hex(sb.data, sb.len, out);
    strbuf_free(&sb);
}

static bool take_len_prefixed(const unsigned char *blob, size_t len, size_t *pos,
                              const char **s, uint32_t *n)
{
    if (len - *pos < 4)
        return false;
    const unsigned char *p = blob + *pos;
    uint32_t l = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (len - *pos - 4 < l)
        return false;
    *s = (const char *)p + 4;
    *n = l;
    *pos += 4 + (size_t)l;
    return true;
}

bool sqs_attrs_next(const unsigned char *blob, size_t len, size_t *pos,
                    struct sqs_attr_view *attr)
{
    if (*pos >= len)
        return false;
    if (!take_len_prefixed(blob, len, pos, &attr->name, &attr->name_len) ||
        !take_len_prefixed(blob, len, pos, &attr->data_type, &attr->type_len) ||
        *pos >= len)
        return false;
    unsigned char transport = blob[(*pos)++];
    if (transport != 1 && transport != 2)
        return false;
    attr->binary = transport == 2;
    return take_len_prefixed(blob, len, pos, &attr->value, &attr->value_len);
}
