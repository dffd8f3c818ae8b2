/* s3_model: release functions for the structs in protocol/s3/model.h. */
#include "protocol/s3/model.h"

#include <stdlib.h>
#include <string.h>

void s3_kv_free_array(struct s3_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

void s3_bucket_free(struct s3_bucket *b)
{
    free(b->name);
    free(b->region);
    free(b->encryption);
    memset(b, 0, sizeof(*b));
}

void s3_content_headers_free(struct s3_content_headers *c)
{
    free(c->content_type);
    free(c->content_encoding);
    free(c->content_disposition);
    free(c->content_language);
    free(c->cache_control);
    free(c->expires);
    memset(c, 0, sizeof(*c));
}

void s3_object_free(struct s3_object *o)
{
    free(o->key);
    for (size_t i = 0; i < o->n_segments; i++)
        free(o->segments[i].data);
    free(o->segments);
    free(o->storage_class);
    s3_content_headers_free(&o->content);
    s3_kv_free_array(o->user_meta, o->n_user_meta);
    s3_kv_free_array(o->tags, o->n_tags);
    free(o->part_checksums);
    free(o->sse.kms_key_id);
    memset(o, 0, sizeof(*o));
}

static void free_string_array(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

void s3_list_result_free(struct s3_list_result *r)
{
    for (size_t i = 0; i < r->n_objects; i++)
        s3_object_free(&r->objects[i]);
    free(r->objects);
    free_string_array(r->common_prefixes, r->n_common_prefixes);
    free(r->next_marker);
    free(r->next_version_id_marker);
    memset(r, 0, sizeof(*r));
}

void s3_upload_free(struct s3_upload *u)
{
    free(u->upload_id);
    free(u->key);
    free(u->storage_class);
    free(u->sse.kms_key_id);
    memset(u, 0, sizeof(*u));
}

void s3_upload_list_free(struct s3_upload_list *l)
{
    for (size_t i = 0; i < l->n_uploads; i++)
        s3_upload_free(&l->uploads[i]);
    free(l->uploads);
    free_string_array(l->common_prefixes, l->n_common_prefixes);
    free(l->next_key_marker);
    free(l->next_upload_id_marker);
    memset(l, 0, sizeof(*l));
}

void s3_part_list_free(struct s3_part_list *l)
{
    free(l->parts);
    memset(l, 0, sizeof(*l));
}
