/* libFuzzer target for protocol/s3's untrusted-input parsers: the XML
 * request bodies (CreateBucketConfiguration, Delete, CompleteMultipartUpload,
 * tagging, versioning, object lock), the bucket configuration documents
 * and the encryption headers, bucket policies (validated, and
 * evaluated with their Condition blocks against a fixed request context)
 * and request routing.
 *
 * The whole input goes to each XML parser and to the policy functions. For routing it is split on '\n'
 * into method, path, query and Host (missing pieces are empty); the first
 * byte's low bit stands for an x-amz-copy-source header. Every result is
 * freed, so leaks and memory errors show up under the sanitizers. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "protocol/s3/bucket_config.h"
#include "protocol/s3/s3.h"

static void fuzz_xml_parsers(const char *data, size_t size)
{
    char *region = NULL;
    if (s3_parse_create_bucket(data, size, &region) == S3_OK)
        free(region);

    char **keys = NULL, **versions = NULL;
    size_t n_keys = 0;
    bool quiet;
    if (s3_parse_delete_objects(data, size, &keys, &versions, &n_keys, &quiet) == S3_OK) {
        for (size_t i = 0; i < n_keys; i++) {
            free(keys[i]);
            free(versions[i]);
        }
        free(keys);
        free(versions);
    }

    struct s3_complete_part *parts = NULL;
    size_t n_parts = 0;
    if (s3_parse_complete_upload(data, size, &parts, &n_parts) == S3_OK)
        free(parts);

    struct s3_kv *tags = NULL;
    size_t n_tags = 0;
    const char *message;
    if (s3_parse_tagging(data, size, S3_MAX_BUCKET_TAGS, &tags, &n_tags, &message) == S3_OK)
        s3_kv_free_array(tags, n_tags);
    char *status = NULL, *mfa = NULL;
    if (s3_parse_versioning(data, size, &status, &mfa) == S3_OK) {
        free(status);
        free(mfa);
    }
    struct s3_lock_config lock;
    s3_parse_object_lock_config(data, size, &lock, &message);
    char mode[12];
    int64_t until;
    s3_parse_retention(data, size, mode, &until);
    bool on;
    s3_parse_legal_hold(data, size, &on);
}

/* Every bucket configuration kind, the readers of stored documents, and
 * the encryption headers (the input split on '\n' into the seven SSE
 * headers). */
static void fuzz_configs(const char *data, size_t size)
{
    for (int kind = 0; kind < S3_CONFIG__COUNT; kind++) {
        struct strbuf out;
        strbuf_init(&out);
        const char *message;
        s3_config_canonicalize((enum s3_config_kind)kind, data, size, &out, &message);
        strbuf_free(&out);
    }
    char *text = strndup(data, size);
    if (!text)
        return;
    struct s3_bucket_encryption def;
    s3_bucket_encryption_read(text, &def);
    char *target = NULL;
    bool grants;
    if (s3_logging_target(text, &target, &grants) == 0)
        free(target);
    const char *fields[7] = {NULL};
    char *p = text;
    for (int i = 0; i < 7 && p; i++) {
        fields[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    struct s3_sse_headers h = {fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]};
    struct s3_bucket_encryption open = {.algorithm = "aws:kms"};
    struct s3_sse sse;
    char arn[2200];
    const char *message;
    s3_sse_resolve(&h, &open, "us-east-1", "000000000000", &sse, arn, sizeof(arn), &message);
    s3_sse_customer_read(&sse, fields[6], &message);
    free(text);
}

static void fuzz_policy(const char *data, size_t size)
{
    const char *message;
    s3_policy_validate(data, size, "b", &message);
    char *json = strndup(data, size);
    if (!json)
        return;
    static const struct iam_key keys[] = {
        {"aws:SourceIp", "127.0.0.1"}, {"aws:SecureTransport", "false"}, {"aws:CurrentTime", "2026-11-27T22:00:00.000Z"},
        {"aws:EpochTime", "1795816800"}, {"s3:prefix", "home/a"}, {"s3:max-keys", "100"},
        {"aws:PrincipalArn", "arn:aws:iam::000000000000:root"}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    iam_policy_evaluate(json, "000000000000", "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
    iam_policy_evaluate(json, NULL, "s3:ListBucket", "arn:aws:s3:::b", &ctx);
    iam_policy_is_public(json);
    free(json);
}

static void fuzz_routing(const char *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *fields[4] = {"", "", "", ""};
    char *p = copy;
    for (int i = 0; i < 4 && p; i++) {
        fields[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    static const char *const domains[] = {"s3.localhost", NULL};
    struct s3_route route;
    bool copy_source = size > 0 && (data[0] & 1);
    s3_route_request(fields[0], fields[1], fields[2], fields[3], domains, copy_source, &route);
    s3_route_free(&route);
    bool present;
    free(query_param(fields[2], "prefix", &present));
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_xml_parsers((const char *)data, size);
    fuzz_configs((const char *)data, size);
    fuzz_policy((const char *)data, size);
    fuzz_routing((const char *)data, size);
    return 0;
}
