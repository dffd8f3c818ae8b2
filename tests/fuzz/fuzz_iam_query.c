/* fuzz_iam_query: libFuzzer target for IAM's and STS's request-side
 * parsers — the query-protocol decoder, IAM's document checks, the
 * evaluation of a document as identity, trust and resource policy, and the
 * claims of a web identity token.
 *
 * Input layout: the part before the first '\n' is the URL query, the rest
 * the form body. Every decoded value is also taken as a policy document
 * (checked as an identity and a trust policy, then evaluated) and as a web
 * identity token, so the fuzzer's own JSON reaches the checks and the
 * evaluator. Any crash, leak or sanitizer report is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/evaluation.h"
#include "protocol/iam/query.h"
#include "protocol/iam/xml.h"
#include "protocol/sts/sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_document(const char *doc)
{
    iam_document_check(doc, strlen(doc), IAM_DOCUMENT_IDENTITY);
    iam_document_check(doc, strlen(doc), IAM_DOCUMENT_TRUST);
    const struct iam_key keys[] = {{"aws:SourceIp", "10.0.0.1"}, {"aws:username", "ann"}};
    const struct iam_context ctx = {keys, 2};
    struct iam_match m;
    iam_policy_evaluate_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", &ctx, &m);
    const struct iam_caller caller = {"111111111111", "arn:aws:iam::111111111111:user/ann", NULL, NULL, "*", false};
    iam_policy_evaluate_caller(doc, &caller, "sts:AssumeRole", NULL, &ctx, &m);
    struct iam_principal p;
    iam_principal_root(&p, "111111111111", "k");
    p.type = IAM_PRINCIPAL_USER;
    const struct iam_parsed_policy *parsed = iam_policy_parse(doc);
    const struct iam_policy_ref refs[] = {{"doc", doc, NULL}, {"parsed", doc, parsed}};
    const struct iam_principal_policies pp = {{refs, 2}, &refs[1], NULL};
    struct iam_authz_request rq = {&p, "s3:GetObject", "arn:aws:s3:::b/k", "222222222222", doc, &ctx, false};
    struct iam_authz_result r;
    iam_authorize(&rq, &pp, &r);
    rq.policy_is_trust = true;
    rq.resource_account = NULL;
    iam_authorize(&rq, &pp, &r);
    iam_parsed_policy_free(parsed);
    struct sts_token_claims claims;
    sts_token_claims(doc, &claims);
    struct strbuf sb;
    strbuf_init(&sb);
    iam_xml_document(&sb, "Document", doc);
    strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t query_len = nl ? (size_t)(nl - text) : 0;
    char *query = malloc(query_len + 1);
    if (!query)
        return 0;
    memcpy(query, text, query_len);
    query[query_len] = '\0';
    const char *body = nl ? nl + 1 : text;
    size_t body_len = nl ? size - query_len - 1 : size;
    struct iam_params params;
    if (iam_params_decode(&params, query, body, body_len) == 0) {
        iam_param_count(&params, "Tags", "Key");
        iam_param_member(&params, "Tags", 1, "Value");
        int64_t n;
        bool b;
        iam_param_int(&params, "MaxItems", &n);
        iam_param_bool(&params, "SetAsDefault", &b);
        for (size_t i = 0; i < params.n; i++)
            exercise_document(params.items[i].value);
    }
    iam_params_free(&params);
    free(query);
    return 0;
}
