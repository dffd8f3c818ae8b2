/* test_sigv2: the SigV2 verifier against signatures made by others — the
 * examples of AWS's "Signing and authenticating REST requests" guide
 * (AKIAIOSFODNN7EXAMPLE, the johnsmith bucket), requests signed by
 * botocore's HmacV1Auth / HmacV1QueryAuth and by s3cmd's sign_request_v2
 * (printed by gen_sigv2_vectors.py next to this file), and a URL printed by
 * aws-cli v1's `aws s3 presign` — plus tampering, the string to sign
 * returned on a mismatch, clock checks and malformed credentials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/auth/sigv2.h"

#define DOC_KEY "AKIAIOSFODNN7EXAMPLE"
#define DOC_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define BOTO_KEY "AKIDEXAMPLE"
#define BOTO_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define BOTO_DATE "Mon, 09 Sep 2024 10:00:00 GMT"
#define BOTO_TIME 1725876000           /* BOTO_DATE; also the presigned Expires */
#define MAX_HEADERS 12

struct header_pair {
    const char *name;
    const char *value;
};

/* A signed request as server/ would hand it over. */
struct vector {
    const char *name;
    const char *method;
    const char *bucket_from_host;      /* virtual-hosted bucket, or NULL */
    const char *path;
    const char *query;
    struct header_pair headers[MAX_HEADERS];
    const char *authorization;         /* NULL for presigned URLs */
    int64_t now;
};

struct test_request {
    struct http_header headers[MAX_HEADERS + 1];
    struct http_request_view view;
};

static void add_header(struct test_request *r, const char *name, const char *value)
{
    assert_true(r->view.n_headers < MAX_HEADERS + 1);
    r->headers[r->view.n_headers].name = (char *)name;
    r->headers[r->view.n_headers].value = (char *)value;
    r->view.n_headers++;
}

static void init_request(struct test_request *r, const char *method, const char *path,
                         const char *query)
{
    memset(r, 0, sizeof *r);
    r->view.method = method;
    r->view.path = path;
    r->view.query = query;
    r->view.headers = r->headers;
}

static void request_from_vector(struct test_request *r, const struct vector *v)
{
    init_request(r, v->method, v->path, v->query ? v->query : "");
    for (size_t i = 0; i < MAX_HEADERS && v->headers[i].name; i++)
        add_header(r, v->headers[i].name, v->headers[i].value);
    if (v->authorization)
        add_header(r, "authorization", v->authorization);
}

static enum sigv2_status check(const struct http_request_view *view, const char *secret,
                               const char *bucket, int64_t now, struct strbuf *sts)
{
    struct sigv2_auth auth;
    enum sigv2_status st = sigv2_parse(view, &auth);
    if (st != SIGV2_OK)
        return st;
    return sigv2_verify(view, &auth, secret, bucket, now, sts);
}

static void expect_all_verify(const struct vector *vectors, size_t n, const char *secret)
{
    for (size_t i = 0; i < n; i++) {
        struct test_request r;
        struct strbuf sts;
        strbuf_init(&sts);
        request_from_vector(&r, &vectors[i]);
        enum sigv2_status st = check(&r.view, secret, vectors[i].bucket_from_host,
                                     vectors[i].now, &sts);
        if (st != SIGV2_OK)
            print_error("vector \"%s\": status %d, expected string to sign:\n%s\n",
                        vectors[i].name, (int)st, sts.data ? sts.data : "");
        strbuf_free(&sts);
        assert_int_equal(st, SIGV2_OK);
    }
}

/* ---- AWS documentation examples ------------------------------------------ */

static const struct vector doc_vectors[] = {
    { "Object GET", "GET", "johnsmith", "/photos/puppy.jpg", NULL,
      { { "host", "johnsmith.s3.amazonaws.com" }, { "date", "Tue, 27 Mar 2007 19:36:42 +0000" } },
      "AWS " DOC_KEY ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=", 1175024202 },
    { "Object PUT", "PUT", "johnsmith", "/photos/puppy.jpg", NULL,
      { { "content-type", "image/jpeg" }, { "content-length", "94328" },
        { "host", "johnsmith.s3.amazonaws.com" }, { "date", "Tue, 27 Mar 2007 21:15:45 +0000" } },
      "AWS " DOC_KEY ":MyyxeRY7whkBe+bq8fHCL/2kKUg=", 1175030145 },
    { "List (query parameters are not sub-resources)", "GET", "johnsmith", "/",
      "prefix=photos&max-keys=50&marker=puppy",
      { { "user-agent", "Mozilla/5.0" }, { "host", "johnsmith.s3.amazonaws.com" },
        { "date", "Tue, 27 Mar 2007 19:42:41 +0000" } },
      "AWS " DOC_KEY ":htDYFYduRNen8P9ZfE/s9SuKy0U=", 1175024561 },
    { "Fetch ?acl", "GET", "johnsmith", "/", "acl",
      { { "host", "johnsmith.s3.amazonaws.com" }, { "date", "Tue, 27 Mar 2007 19:44:46 +0000" } },
      "AWS " DOC_KEY ":c2WLPFtWHVgbEmeEG93a4cG37dM=", 1175024686 },
    /* The guide prints 9b2sXq0K... for this request, which does not match its
     * own string to sign (see test_doc_delete_string_to_sign); this is the
     * HMAC of that string to sign. */
    { "Delete with x-amz-date (path-style)", "DELETE", NULL, "/johnsmith/photos/puppy.jpg", NULL,
      { { "user-agent", "dotnet" }, { "host", "s3.amazonaws.com" },
        { "date", "Tue, 27 Mar 2007 21:20:27 +0000" },
        { "x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000" } },
      "AWS " DOC_KEY ":R4dJ53KECjStyBO5iTBJZ4XVOaI=", 1175030426 },
    { "Upload with x-amz-meta headers (bucket named like a domain)", "PUT",
      "static.johnsmith.net", "/db-backup.dat.gz", NULL,
      { { "user-agent", "curl/7.15.5" }, { "host", "static.johnsmith.net:8080" },
        { "date", "Tue, 27 Mar 2007 21:06:08 +0000" }, { "x-amz-acl", "public-read" },
        { "content-type", "application/x-download" },
        { "content-md5", "4gJE4saaMU4BqNR0kLY+lw==" },
        { "X-Amz-Meta-ReviewedBy", "joe@johnsmith.net" },
        { "X-Amz-Meta-ReviewedBy", "jane@johnsmith.net" },
        { "X-Amz-Meta-FileChecksum", "0x02661779" },
        { "X-Amz-Meta-ChecksumAlgorithm", "crc32" },
        { "content-disposition", "attachment; filename=database.dat" },
        { "content-encoding", "gzip" } },
      "AWS " DOC_KEY ":ilyl83RwaSoYIEdixDQcA4OnAnc=", 1175029568 },
    { "List all my buckets", "GET", NULL, "/", NULL,
      { { "host", "s3.amazonaws.com" }, { "date", "Wed, 28 Mar 2007 01:29:59 +0000" } },
      "AWS " DOC_KEY ":qGdzdERIC03wnaRNKh6OqZehG9s=", 1175045399 },
    { "Unicode keys (path signed as sent)", "GET", NULL,
      "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", NULL,
      { { "host", "s3.amazonaws.com" }, { "date", "Wed, 28 Mar 2007 01:49:49 +0000" } },
      "AWS " DOC_KEY ":DNEZGsoieTZ92F3bUfSPQcbGmlM=", 1175046589 },
    { "Query string authentication", "GET", "johnsmith", "/photos/puppy.jpg",
      "AWSAccessKeyId=" DOC_KEY "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
      { { "host", "johnsmith.s3.amazonaws.com" } }, NULL, 1175139000 },
};

static void test_doc_examples(void **state)
{
    (void)state;
    expect_all_verify(doc_vectors, sizeof doc_vectors / sizeof doc_vectors[0], DOC_SECRET);
}

static void test_doc_parse_fields(void **state)
{
    (void)state;
    struct test_request r;
    struct sigv2_auth auth;
    request_from_vector(&r, &doc_vectors[0]);
    assert_int_equal(sigv2_parse(&r.view, &auth), SIGV2_OK);
    assert_false(auth.presigned);
    assert_string_equal(auth.access_key, DOC_KEY);
    assert_string_equal(auth.signature, "bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
    assert_int_equal(auth.request_time, 1175024202);

    const struct vector *query = &doc_vectors[sizeof doc_vectors / sizeof doc_vectors[0] - 1];
    request_from_vector(&r, query);
    assert_int_equal(sigv2_parse(&r.view, &auth), SIGV2_OK);
    assert_true(auth.presigned);
    assert_string_equal(auth.access_key, DOC_KEY);
    assert_string_equal(auth.signature, "NpgCjnDzrM+WFzoENXmpNDUsSn8=");
    assert_int_equal(auth.expires, 1175139620);
}

/* With the guide's printed signature the request fails, and the string to
 * sign handed back is exactly the one the guide shows: the Date line empty
 * because x-amz-date is present, and x-amz-date among the amz headers. */
static void test_doc_delete_string_to_sign(void **state)
{
    (void)state;
    struct vector v = doc_vectors[4];
    v.authorization = "AWS " DOC_KEY ":9b2sXq0KfxsxHtdZkzx/9Ngqyh8=";
    struct test_request r;
    struct strbuf sts;
    strbuf_init(&sts);
    request_from_vector(&r, &v);
    assert_int_equal(check(&r.view, DOC_SECRET, NULL, v.now, &sts), SIGV2_SIGNATURE_MISMATCH);
    assert_string_equal(sts.data, "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n"
                                  "/johnsmith/photos/puppy.jpg");
    strbuf_free(&sts);
}

/* The upload example's string to sign: amz headers lower-cased, sorted,
 * the repeated header joined with ','. */
static void test_doc_upload_string_to_sign(void **state)
{
    (void)state;
    struct vector v = doc_vectors[5];
    v.authorization = "AWS " DOC_KEY ":AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    struct test_request r;
    struct strbuf sts;
    strbuf_init(&sts);
    request_from_vector(&r, &v);
    assert_int_equal(check(&r.view, DOC_SECRET, v.bucket_from_host, v.now, &sts),
                     SIGV2_SIGNATURE_MISMATCH);
    assert_string_equal(sts.data,
                        "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\n"
                        "Tue, 27 Mar 2007 21:06:08 +0000\n"
                        "x-amz-acl:public-read\n"
                        "x-amz-meta-checksumalgorithm:crc32\n"
                        "x-amz-meta-filechecksum:0x02661779\n"
                        "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n"
                        "/static.johnsmith.net/db-backup.dat.gz");
    strbuf_free(&sts);
}

/* ---- signed by botocore (HmacV1Auth) -------------------------------------- */

static const struct vector botocore_header_vectors[] = {
    { "path-style GET, encoded key", "GET", NULL, "/mybucket/dir/%C3%BC%20key%2Bplus.txt", NULL,
      { { "date", BOTO_DATE } }, "AWS " BOTO_KEY ":LZZHo6u9dBgd/a1qRo0USC9uiz0=", BOTO_TIME },
    { "virtual-hosted PUT with x-amz headers", "PUT", "mybucket", "/photos/a.jpg", NULL,
      { { "content-type", "image/jpeg" }, { "content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==" },
        { "x-amz-acl", "public-read" }, { "x-amz-meta-reviewer", " joe " },
        { "x-amz-storage-class", "STANDARD_IA" }, { "date", BOTO_DATE } },
      "AWS " BOTO_KEY ":8frC5Ws1Wzelqp2sj/mlunJivlE=", BOTO_TIME },
    { "sub-resources and response overrides", "GET", NULL, "/mybucket/obj",
      "versionId=v%2B1&prefix=x&acl"
      "&response-content-disposition=attachment%3B%20filename%3D%22a.txt%22",
      { { "date", BOTO_DATE } }, "AWS " BOTO_KEY ":P4XhEQ9K3WZTy/cWD236oa2AsRI=", BOTO_TIME },
    { "upload part", "PUT", NULL, "/mybucket/big", "uploadId=up%2F1&partNumber=2",
      { { "date", BOTO_DATE } }, "AWS " BOTO_KEY ":zB0WRzTU2EWnZq2Ln1TLOaIOa4k=", BOTO_TIME },
    { "virtual-hosted bucket root", "GET", "mybucket", "/", "location",
      { { "date", BOTO_DATE } }, "AWS " BOTO_KEY ":0Q2iSSP16igsXl+CQNboBrpUAMc=", BOTO_TIME },
    { "multi-object delete", "POST", NULL, "/mybucket", "delete",
      { { "content-md5", "Q2hlY2sgSW50ZWdyaXR5IQ==" }, { "content-type", "application/xml" },
        { "date", BOTO_DATE } },
      "AWS " BOTO_KEY ":NuxZbcizhZ7qOJOpmOEb/B2AlVY=", BOTO_TIME },
    { "session token", "GET", NULL, "/", NULL,
      { { "x-amz-security-token", "SESSIONTOKEN" }, { "date", BOTO_DATE } },
      "AWS " BOTO_KEY ":AX41UOMdDVzcL4j1oi6UT6zCCQ8=", BOTO_TIME },
    /* boto3 (signature_version "s3") sends a bucket's requests to /mybucket
     * and signs the resource /mybucket/: S3 takes both. */
    { "path-style bucket, resource signed with its slash", "PUT", NULL, "/mybucket", NULL,
      { { "date", BOTO_DATE } },
      "AWS " BOTO_KEY ":rN43M8eVGW3OM0EmNq/bjaE8EuM=", BOTO_TIME },
    { "path-style bucket sub-resource, resource signed with its slash", "GET", NULL, "/mybucket", "tagging",
      { { "date", BOTO_DATE } },
      "AWS " BOTO_KEY ":FWKU7/d/gC9uC70Yfbott9r7HBU=", BOTO_TIME },
};

static void test_botocore_header_auth(void **state)
{
    (void)state;
    expect_all_verify(botocore_header_vectors,
                      sizeof botocore_header_vectors / sizeof botocore_header_vectors[0],
                      BOTO_SECRET);
}

/* Only listed sub-resources are signed, sorted, with decoded values. */
static void test_botocore_sub_resource_string_to_sign(void **state)
{
    (void)state;
    struct vector v = botocore_header_vectors[2];
    v.query = "versionId=v%2B2&prefix=x&acl"
              "&response-content-disposition=attachment%3B%20filename%3D%22a.txt%22";
    struct test_request r;
    struct strbuf sts;
    strbuf_init(&sts);
    request_from_vector(&r, &v);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, v.now, &sts), SIGV2_SIGNATURE_MISMATCH);
    assert_string_equal(sts.data, "GET\n\n\n" BOTO_DATE "\n/mybucket/obj?acl"
                                  "&response-content-disposition=attachment; filename=\"a.txt\""
                                  "&versionId=v+2");
    strbuf_free(&sts);
}

/* ---- presigned by botocore (HmacV1QueryAuth) and aws-cli v1 ------------- */

static const struct vector presigned_vectors[] = {
    { "aws s3 presign (path-style)", "GET", NULL, "/mybucket/some%2520key/a%2Bb.txt",
      "AWSAccessKeyId=" BOTO_KEY "&Signature=4I%2FhDkVUxcyKoUwjUr43FiCBWN8%3D&Expires=1725876000",
      { { "host", "127.0.0.1:4566" } }, NULL, BOTO_TIME - 3600 },
    { "virtual-hosted, response override, token in the query", "GET", "mybucket", "/report.csv",
      "response-content-type=text%2Fcsv&AWSAccessKeyId=" BOTO_KEY
      "&Signature=%2FMQyuF7a2cQKw6a%2B9%2FgzvEHBCf8%3D&x-amz-security-token=SESSIONTOKEN"
      "&Expires=1725876000",
      { { 0 } }, NULL, BOTO_TIME },
    { "PUT with content-type in the query", "PUT", NULL, "/mybucket/upload.bin",
      "AWSAccessKeyId=" BOTO_KEY "&Signature=d7s5J%2FB5WyJ%2FVlhUL7%2Fb8sN%2Fb48%3D"
      "&content-type=application%2Foctet-stream&Expires=1725876000",
      { { "content-length", "5" } }, NULL, BOTO_TIME - 60 },
    { "PUT with content-type in the query and as a header", "PUT", NULL, "/mybucket/upload.bin",
      "AWSAccessKeyId=" BOTO_KEY "&Signature=d7s5J%2FB5WyJ%2FVlhUL7%2Fb8sN%2Fb48%3D"
      "&content-type=application%2Foctet-stream&Expires=1725876000",
      { { "content-type", "application/octet-stream" } }, NULL, BOTO_TIME - 60 },
    { "presigned request carrying an unrelated Date header", "GET", NULL,
      "/mybucket/some%2520key/a%2Bb.txt",
      "AWSAccessKeyId=" BOTO_KEY "&Signature=4I%2FhDkVUxcyKoUwjUr43FiCBWN8%3D&Expires=1725876000",
      { { "date", "Tue, 27 Mar 2007 19:36:42 +0000" } }, NULL, BOTO_TIME },
};

static void test_botocore_presigned(void **state)
{
    (void)state;
    expect_all_verify(presigned_vectors, sizeof presigned_vectors / sizeof presigned_vectors[0],
                      BOTO_SECRET);
}

/* Printed by aws-cli 1.45 with access key and secret "test". */
static void test_aws_cli_presign_url(void **state)
{
    (void)state;
    struct test_request r;
    init_request(&r, "GET", "/mybucket/some%2520key/a%2Bb.txt",
                 "AWSAccessKeyId=test&Signature=zn7k7T0HR4GicI7SaaokpcKQImo%3D&Expires=1795795807");
    add_header(&r, "host", "127.0.0.1:4566");
    assert_int_equal(check(&r.view, "test", NULL, 1795795207, NULL), SIGV2_OK);
    assert_int_equal(check(&r.view, "test", NULL, 1795795808, NULL), SIGV2_EXPIRED);
    assert_int_equal(check(&r.view, "other", NULL, 1795795207, NULL), SIGV2_SIGNATURE_MISMATCH);
}

static void test_presigned_expiry(void **state)
{
    (void)state;
    struct test_request r;
    request_from_vector(&r, &presigned_vectors[0]);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME, NULL), SIGV2_OK);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME + 1, NULL), SIGV2_EXPIRED);
    /* Expiry is checked before the signature. */
    assert_int_equal(check(&r.view, "wrong", NULL, BOTO_TIME + 1, NULL), SIGV2_EXPIRED);
}

/* The token moved into the query is signed as an amz header. */
static void test_presigned_query_amz_header_signed(void **state)
{
    (void)state;
    struct vector v = presigned_vectors[1];
    v.query = "response-content-type=text%2Fcsv&AWSAccessKeyId=" BOTO_KEY
              "&Signature=%2FMQyuF7a2cQKw6a%2B9%2FgzvEHBCf8%3D&x-amz-security-token=OTHER"
              "&Expires=1725876000";
    struct test_request r;
    struct strbuf sts;
    strbuf_init(&sts);
    request_from_vector(&r, &v);
    assert_int_equal(check(&r.view, BOTO_SECRET, v.bucket_from_host, v.now, &sts),
                     SIGV2_SIGNATURE_MISMATCH);
    assert_string_equal(sts.data, "GET\n\n\n1725876000\nx-amz-security-token:OTHER\n"
                                  "/mybucket/report.csv?response-content-type=text/csv");
    strbuf_free(&sts);
}

/* ---- signed by s3cmd (x-amz-date, empty Date line) --------------------- */

static const struct vector s3cmd_vectors[] = {
    { "PUT with x-amz-date (a Date header is ignored)", "PUT", "mybucket", "/dir/file.txt", NULL,
      { { "x-amz-date", "Mon, 09 Sep 2024 10:00:00 +0000" }, { "content-type", "text/plain" },
        { "x-amz-meta-s3cmd-attrs", "mode:33188/uid:0" },
        { "date", "Mon, 09 Sep 2024 10:00:05 GMT" } },
      "AWS " BOTO_KEY ":XJrkSczk5N/lEFNDm2eHQTJYEK0=", BOTO_TIME },
    { "GET ?acl path-style", "GET", NULL, "/mybucket/", "acl",
      { { "x-amz-date", "Mon, 09 Sep 2024 10:00:00 +0000" } },
      "AWS " BOTO_KEY ":nLqwk3DjDETdEGOEnPIDmHc7uQE=", BOTO_TIME },
    /* ... the same bucket addressed without the slash. */
    { "GET ?acl path-style, no slash", "GET", NULL, "/mybucket", "acl",
      { { "x-amz-date", "Mon, 09 Sep 2024 10:00:00 +0000" } },
      "AWS " BOTO_KEY ":nLqwk3DjDETdEGOEnPIDmHc7uQE=", BOTO_TIME },
    /* s3cmd signs the guide's sub-resources only: ?tagging is not in its resource. */
    { "PUT ?tagging", "PUT", "mybucket", "/obj", "tagging",
      { { "x-amz-date", "Mon, 09 Sep 2024 10:00:00 +0000" } },
      "AWS " BOTO_KEY ":YXGwdRSSJpu6Imf8jkBdEkRqPW8=", BOTO_TIME },
};

static void test_s3cmd_header_auth(void **state)
{
    (void)state;
    expect_all_verify(s3cmd_vectors, sizeof s3cmd_vectors / sizeof s3cmd_vectors[0], BOTO_SECRET);
}

/* ---- tampering --------------------------------------------------------- */

static void expect_mismatch(struct vector v, const char *secret)
{
    struct test_request r;
    request_from_vector(&r, &v);
    assert_int_equal(check(&r.view, secret, v.bucket_from_host, v.now, NULL),
                     SIGV2_SIGNATURE_MISMATCH);
}

static void test_tampering(void **state)
{
    (void)state;
    const struct vector base = botocore_header_vectors[1];
    struct vector v;

    expect_mismatch(base, "wrong-secret");
    v = base;
    v.method = "POST";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.path = "/photos/b.jpg";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.bucket_from_host = "otherbucket";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.bucket_from_host = NULL;         /* the same path taken as path-style */
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.headers[0].value = "image/png";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.headers[2].value = "private";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.headers[5].value = "Mon, 09 Sep 2024 10:00:01 GMT";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.headers[6] = (struct header_pair){ "x-amz-meta-added", "1" };
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.query = "acl";                   /* a sub-resource added */
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.authorization = "AWS " BOTO_KEY ":8frC5Ws1Wzelqp2sj/mlunJivlF=";
    expect_mismatch(v, BOTO_SECRET);
    v = base;
    v.authorization = "AWS " BOTO_KEY ":8frC5Ws1Wzelqp2sj/mlunJivlE";   /* truncated */
    expect_mismatch(v, BOTO_SECRET);

    v = botocore_header_vectors[3];
    v.query = "uploadId=up%2F1&partNumber=3";
    expect_mismatch(v, BOTO_SECRET);

    /* The trailing slash is free for a bucket-only path, not for a key, and
     * the guide's shorter sub-resource list never drops one of its own. */
    v = botocore_header_vectors[7];
    v.path = "/otherbucket";
    expect_mismatch(v, BOTO_SECRET);
    v = botocore_header_vectors[7];
    v.path = "/mybucket/key";
    expect_mismatch(v, BOTO_SECRET);
    v = botocore_header_vectors[0];
    v.path = "/mybucket/dir/%C3%BC%20key%2Bplus.txt/";
    expect_mismatch(v, BOTO_SECRET);
    v = s3cmd_vectors[3];
    v.query = "tagging&acl";
    expect_mismatch(v, BOTO_SECRET);

    v = presigned_vectors[0];
    v.path = "/mybucket/some%20key/a%2Bb.txt";   /* path compared as sent */
    expect_mismatch(v, BOTO_SECRET);
    v = presigned_vectors[0];
    v.query = "AWSAccessKeyId=" BOTO_KEY "&Signature=4I%2FhDkVUxcyKoUwjUr43FiCBWN8%3D"
              "&Expires=1725876001";
    expect_mismatch(v, BOTO_SECRET);
    v = presigned_vectors[2];
    v.headers[0] = (struct header_pair){ "content-type", "text/html" };
    expect_mismatch(v, BOTO_SECRET);
}

/* Non-sub-resource parameters may change without breaking the signature. */
static void test_unsigned_query_parameters(void **state)
{
    (void)state;
    struct vector v = doc_vectors[2];
    v.query = "prefix=videos&max-keys=1000&Acl=x";
    expect_all_verify(&v, 1, DOC_SECRET);
}

/* ---- clock ------------------------------------------------------------- */

static void test_header_clock_skew(void **state)
{
    (void)state;
    struct test_request r;
    request_from_vector(&r, &botocore_header_vectors[0]);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME + 900, NULL), SIGV2_OK);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME - 900, NULL), SIGV2_OK);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME + 901, NULL), SIGV2_TIME_SKEWED);
    assert_int_equal(check(&r.view, BOTO_SECRET, NULL, BOTO_TIME - 901, NULL), SIGV2_TIME_SKEWED);

    /* s3cmd: the clock comes from x-amz-date, not from Date. */
    request_from_vector(&r, &s3cmd_vectors[0]);
    assert_int_equal(check(&r.view, BOTO_SECRET, "mybucket", BOTO_TIME - 900, NULL), SIGV2_OK);
    assert_int_equal(check(&r.view, BOTO_SECRET, "mybucket", BOTO_TIME - 901, NULL),
                     SIGV2_TIME_SKEWED);
}

static void test_date_formats(void **state)
{
    (void)state;
    static const struct {
        const char *date;
        int64_t time;
    } cases[] = {
        { "Tue, 27 Mar 2007 19:36:42 +0000", 1175024202 },
        { "Tue, 27 Mar 2007 19:36:42 GMT", 1175024202 },
        { "Tue, 27 Mar 2007 19:36:42 UTC", 1175024202 },
        { "Tue, 27 Mar 2007 21:36:42 +0200", 1175024202 },
        { "Tue, 27 Mar 2007 14:36:42 -0500", 1175024202 },
        { "Tue, 7 Mar 2007 19:36:42 GMT", 1173296202 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_request r;
        struct sigv2_auth auth;
        init_request(&r, "GET", "/", "");
        add_header(&r, "date", cases[i].date);
        add_header(&r, "authorization", "AWS ak:c2lnbmF0dXJl");
        assert_int_equal(sigv2_parse(&r.view, &auth), SIGV2_OK);
        assert_int_equal(auth.request_time, cases[i].time);
    }
}

/* ---- malformed and absent --------------------------------------------- */

static enum sigv2_status parse_with(const char *authorization, const char *date,
                                    const char *amz_date, const char *query)
{
    struct test_request r;
    struct sigv2_auth auth;
    init_request(&r, "GET", "/b/k", query);
    if (authorization)
        add_header(&r, "authorization", authorization);
    if (date)
        add_header(&r, "date", date);
    if (amz_date)
        add_header(&r, "x-amz-date", amz_date);
    return sigv2_parse(&r.view, &auth);
}

static void test_malformed_header(void **state)
{
    (void)state;
    char long_key[200];
    memset(long_key, 'A', sizeof long_key);
    memcpy(long_key, "AWS ", 4);
    long_key[4 + 129] = ':';
    strcpy(long_key + 4 + 130, "c2lnbmF0dXJl");
    char long_sig[100];
    memset(long_sig, 'A', sizeof long_sig);
    memcpy(long_sig, "AWS ak:", 7);
    long_sig[7 + 64] = '\0';

    assert_int_equal(parse_with("AWS ak:c2ln", BOTO_DATE, NULL, ""), SIGV2_OK);
    assert_int_equal(parse_with("AWS akc2ln", BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
    assert_int_equal(parse_with("AWS :c2ln", BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
    assert_int_equal(parse_with("AWS ak:", BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
    assert_int_equal(parse_with("AWS ak:c2ln extra", BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
    assert_int_equal(parse_with(long_key, BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
    assert_int_equal(parse_with(long_sig, BOTO_DATE, NULL, ""), SIGV2_MALFORMED);
}

static void test_missing_or_bad_date(void **state)
{
    (void)state;
    assert_int_equal(parse_with("AWS ak:c2ln", NULL, NULL, ""), SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", "yesterday", NULL, ""), SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", "Mon, 09 Sep 2024 10:00:00 CEST", NULL, ""),
                     SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", "Mon, 09 Foo 2024 10:00:00 GMT", NULL, ""),
                     SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", "Mon, 09 Sep 2024 25:00:00 GMT", NULL, ""),
                     SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", "Mon, 09 Sep 2024 10:00:00 GMT trailing", NULL,
                                ""),
                     SIGV2_MISSING_DATE);
    /* x-amz-date wins over Date, even when it is the invalid one. */
    assert_int_equal(parse_with("AWS ak:c2ln", BOTO_DATE, "20240909T100000Z", ""),
                     SIGV2_MISSING_DATE);
    assert_int_equal(parse_with("AWS ak:c2ln", NULL, "Mon, 09 Sep 2024 10:00:00 +0000", ""),
                     SIGV2_OK);
}

static void test_malformed_query(void **state)
{
    (void)state;
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=ak&Signature=c2ln&Expires=10"),
                     SIGV2_OK);
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=ak&Signature=c2ln"),
                     SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=ak&Expires=10"),
                     SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL, "Signature=c2ln&Expires=10"), SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=&Signature=c2ln&Expires=10"),
                     SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=ak&Signature=c2ln&Expires=1x"),
                     SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL, "AWSAccessKeyId=ak&Signature=c2ln&Expires=-5"),
                     SIGV2_MALFORMED);
    assert_int_equal(parse_with(NULL, NULL, NULL,
                                "AWSAccessKeyId=ak&Signature=c2ln&Expires=99999999999999999999"),
                     SIGV2_MALFORMED);
    /* Two mechanisms at once. */
    assert_int_equal(parse_with("AWS ak:c2ln", BOTO_DATE, NULL,
                                "AWSAccessKeyId=ak&Signature=c2ln&Expires=10"),
                     SIGV2_MALFORMED);
}

static void test_absent(void **state)
{
    (void)state;
    assert_int_equal(parse_with(NULL, BOTO_DATE, NULL, ""), SIGV2_ABSENT);
    assert_int_equal(parse_with(NULL, NULL, NULL, "acl&versionId=3&Expires=10"), SIGV2_ABSENT);
    assert_int_equal(parse_with("AWS4-HMAC-SHA256 Credential=a/20240909/us-east-1/s3/aws4_request,"
                                " SignedHeaders=host, Signature=00",
                                BOTO_DATE, NULL, ""),
                     SIGV2_ABSENT);
    assert_int_equal(parse_with("AWSak:c2ln", BOTO_DATE, NULL, ""), SIGV2_ABSENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_examples),
        cmocka_unit_test(test_doc_parse_fields),
        cmocka_unit_test(test_doc_delete_string_to_sign),
        cmocka_unit_test(test_doc_upload_string_to_sign),
        cmocka_unit_test(test_botocore_header_auth),
        cmocka_unit_test(test_botocore_sub_resource_string_to_sign),
        cmocka_unit_test(test_botocore_presigned),
        cmocka_unit_test(test_aws_cli_presign_url),
        cmocka_unit_test(test_presigned_expiry),
        cmocka_unit_test(test_presigned_query_amz_header_signed),
        cmocka_unit_test(test_s3cmd_header_auth),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_unsigned_query_parameters),
        cmocka_unit_test(test_header_clock_skew),
        cmocka_unit_test(test_date_formats),
        cmocka_unit_test(test_malformed_header),
        cmocka_unit_test(test_missing_or_bad_date),
        cmocka_unit_test(test_malformed_query),
        cmocka_unit_test(test_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
