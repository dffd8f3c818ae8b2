/* protocol/dynamodb table: a table's definition — key schema, attribute
 * definitions, secondary indexes and their projections, billing and
 * throughput, stream, encryption, class, deletion protection, time to
 * live, point-in-time recovery, tags — as one typed value, and the
 * operations on it that are pure:
 *
 *   ddb_table_from_create   CreateTable's request, with AWS's checks and
 *                           messages, to a new definition (CREATING)
 *   ddb_table_apply_update  UpdateTable's request against a definition:
 *                           the new definition and what storage must do
 *                           (backfill or drop an index)
 *   ddb_table_settle        the end of a transition (CREATING, UPDATING,
 *                           index CREATING/DELETING) as AWS reports it
 *   ddb_table_to_json / ddb_table_from_json
 *                           the stored form (a JSON document of our own,
 *                           named after AWS's fields)
 *   ddb_table_describe      the TableDescription AWS answers with
 *
 * Everything lives in one arena. Names are bytes with their length (an
 * attribute name may hold any character). */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_TABLE_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_TABLE_H

#include "protocol/core/json.h"
#include "protocol/dynamodb/key.h"
#include "protocol/dynamodb/value.h"

#define DDB_MAX_LOCAL_INDEXES 5
#define DDB_MAX_GLOBAL_INDEXES 20
#define DDB_MAX_TAGS 50
/* AWS's bound on provisioned capacity units (larger: "out of bounds"). */
#define DDB_MAX_CAPACITY_UNITS 1000000000000LL

enum ddb_status { DDB_STATUS_CREATING, DDB_STATUS_UPDATING, DDB_STATUS_ACTIVE, DDB_STATUS_DELETING };
enum ddb_projection_type { DDB_PROJECT_ALL, DDB_PROJECT_KEYS_ONLY, DDB_PROJECT_INCLUDE };

struct ddb_name {
    const char *s;
    size_t len;
};

struct ddb_attribute_definition {
    struct ddb_name name;
    enum ddb_type type;            /* S, N or B */
};

/* Provisioned throughput as DescribeTable shows it. While UPDATING, the
 * new units are pending and become current when the change settles. */
struct ddb_throughput {
    int64_t read, write;           /* 0 for on-demand */
    int64_t pending_read, pending_write; /* 0: nothing pending */
    int64_t last_increase_ms, last_decrease_ms; /* 0: never */
    int64_t decreases_today;
};

struct ddb_index {
    struct ddb_name name;
    bool global;
    int number;                    /* the index's storage number within its table, never reused */
    struct ddb_key_schema keys;
    enum ddb_projection_type projection;
    struct ddb_name *non_key;      /* INCLUDE */
    size_t n_non_key;
    struct ddb_throughput throughput;  /* global indexes */
    int64_t max_read_units, max_write_units;  /* OnDemandThroughput; 0 none */
    enum ddb_status status;        /* global: CREATING, UPDATING, ACTIVE or DELETING; local: ACTIVE */
    bool backfilling;              /* created by UpdateTable: storage is still filling it */
};

struct ddb_tag {
    struct ddb_name key, value;
};

struct ddb_table {
    struct ddb_name name;
    char table_id[37];
    int64_t created_ms;
    struct ddb_attribute_definition *attributes;
    size_t n_attributes;
    struct ddb_key_schema keys;
    struct ddb_index *indexes;     /* local ones first, each kind in request order */
    size_t n_indexes;
    int next_index_number;
    bool on_demand;                /* BillingMode PAY_PER_REQUEST */
    int64_t on_demand_since_ms;    /* LastUpdateToPayPerRequestDateTime; 0 none */
    struct ddb_throughput throughput;
    int64_t max_read_units, max_write_units;  /* OnDemandThroughput; 0 none */
    enum ddb_status status;        /* CREATING, UPDATING or ACTIVE as stored */
    int64_t settle_ms;             /* a transition ends by this time at the latest */
    bool stream_enabled;
    const char *stream_view_type;  /* "NEW_AND_OLD_IMAGES", ...; NULL when no stream was ever enabled */
    char stream_label[32];         /* the latest stream's label ("" none): its ARN ends in it */
    bool sse_enabled;              /* SSESpecification Enabled (KMS) */
    const char *sse_kms_key;       /* KMSMasterKeyId as given; NULL: AWS's managed key */
    const char *table_class;       /* NULL: never set (STANDARD) */
    bool deletion_protection;
    struct ddb_name ttl_attribute; /* TimeToLive AttributeName (s NULL: never set) */
    bool ttl_enabled;
    bool pitr_enabled;             /* point-in-time recovery */
    int64_t pitr_days;             /* RecoveryPeriodInDays */
    int64_t pitr_since_ms;
    struct ddb_tag *tags;
    size_t n_tags;
};

/* ---- construction and change ---------------------------------------------------- */

/* CreateTable, after ddb_request_check: AWS's checks of keys, definitions,
 * indexes, billing and the other settings, in AWS's order. table_id is a
 * fresh UUID; the table is CREATING until settle_ms. */
bool ddb_table_from_create(struct arena *a, const struct json_value *req, const char *table_id, int64_t now_ms,
                           int64_t settle_ms, struct ddb_table *out, struct ddb_error *err);

/* UpdateTable's checks that need no table, after ddb_request_check
 * (something to do, billing and throughput bounds, one action per index
 * update and per index). */
bool ddb_table_check_update(const struct json_value *req, struct ddb_error *err);

/* What an UpdateTable asks storage to do besides storing the definition. */
struct ddb_table_change {
    int backfill_number;           /* a global index to fill from the items (0: none) */
    int dropped_number;            /* a global index whose entries go (0: none) */
    bool stream_enabled_now;       /* a new stream (new label) begins */
};

/* UpdateTable, after ddb_request_check, on the current definition:
 * AWS's checks (which need the table) and the new definition, UPDATING
 * until settle_ms. err of type DDB_ERR_VALIDATION, or with *limit_exceeded
 * set for AWS's LimitExceededException, or *in_use for
 * ResourceInUseException (messages in err). */
bool ddb_table_apply_update(struct arena *a, const struct ddb_table *old, const struct json_value *req,
                            int64_t now_ms, int64_t settle_ms, struct ddb_table *out, struct ddb_table_change *change,
                            bool *limit_exceeded, bool *in_use, struct ddb_error *err);

/* TagResource: the tags added (a tag of an existing key replaces it),
 * with AWS's checks of keys, values and the 50-tag limit. */
bool ddb_table_add_tags(struct arena *a, const struct ddb_table *old, const struct json_value *tags,
                        struct ddb_table *out, struct ddb_error *err);
/* UntagResource: the tags of those keys removed. */
bool ddb_table_remove_tags(struct arena *a, const struct ddb_table *old, const struct json_value *keys,
                           struct ddb_table *out);

/* A table ARN ("arn:aws:dynamodb:<region>:<account>:table/<name>") as
 * AWS's tag operations accept it: false when it is none. */
bool ddb_table_arn_parse(const char *arn, char region[40], char account[13], char name[256]);

/* A shallow copy whose arrays (indexes, tags) are the caller's to change. */
bool ddb_table_copy(struct arena *a, const struct ddb_table *in, struct ddb_table *out);

/* The table and index statuses as they are at now_ms, described (true: a
 * DescribeTable has looked at it, which ends the transition at once, so
 * the SDKs' waiters see ACTIVE on their first poll): CREATING and
 * UPDATING become ACTIVE, pending throughput becomes current, DELETING
 * indexes go. An index still backfilling stays CREATING. Returns whether
 * anything changed. */
bool ddb_table_settle(struct ddb_table *t, int64_t now_ms, bool described);

/* ---- lookups ---------------------------------------------------------------------- */

const struct ddb_index *ddb_table_index(const struct ddb_table *t, const char *name, size_t len);
/* The type an attribute definition gives name, or false. */
bool ddb_table_attribute_type(const struct ddb_table *t, const char *name, size_t len, enum ddb_type *out);
/* Whether writes maintain the index (not DELETING). */
static inline bool ddb_index_is_live(const struct ddb_index *ix) { return ix->status != DDB_STATUS_DELETING; }

/* ---- stored form and answers ------------------------------------------------------ */

void ddb_table_to_json(struct strbuf *sb, const struct ddb_table *t);
bool ddb_table_from_json(struct arena *a, const char *json, size_t len, struct ddb_table *out,
                         struct ddb_error *err);

/* Figures that change with the items. */
struct ddb_table_stats {
    int64_t item_count, size_bytes;
    const int64_t *index_items;    /* per t->indexes[i], NULL: zeros */
    const int64_t *index_bytes;
};

/* "arn:aws:dynamodb:<region>:<account>:table/<name>" into out. */
void ddb_table_arn(const char *region, const char *account, const struct ddb_name *name, struct strbuf *out);

/* The TableDescription (as member `key` of w's current object, or an
 * element when key is NULL). deleting: the answer of DeleteTable (status
 * DELETING, no indexes' details as AWS answers it). */
void ddb_table_describe(struct json_writer *w, const char *key, const struct ddb_table *t, const char *arn,
                        const struct ddb_table_stats *stats, bool deleting);
/* "KeySchema": [{AttributeName, KeyType}, ...] as AWS describes it. */
void ddb_jw_key_schema(struct json_writer *w, const struct ddb_key_schema *k);
/* "arn:...:table/<name>/stream/<label>" for the latest stream. */
void ddb_table_stream_arn(const char *table_arn, const struct ddb_table *t, struct strbuf *out);

/* "CREATING", ... */
const char *ddb_status_name(enum ddb_status s);

#endif
