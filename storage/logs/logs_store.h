/* logs_store: CloudWatch Logs' durable state — log groups (with their
 * retention and tags), log streams and log events — behind typed
 * functions; every SQL statement of the service is in storage/logs/.
 *
 *   storage/logs/schema.c   the logs_* tables
 *   storage/logs/groups.c   groups: create, delete, list, retention
 *   storage/logs/streams.c  streams: create, delete, list
 *   storage/logs/events.c   events: batches in, reads by stream with
 *                           paging, scans of a group, the retention sweep
 *   storage/logs/tags.c     a group's tags
 *
 * Every function takes a struct store_conn (storage/core/store.h): writes
 * take the writer, as a store_submit() apply callback gets it, and run
 * inside the group commit's transaction; reads take the loop thread's
 * reader (store_reader()). Statements are prepared once per connection.
 * Names and messages are bytes with a length where AWS lets them hold
 * U+0000 (messages); account, group and stream names are C strings.
 * Listing functions call a visitor per row, in order, until it returns
 * false; what it is given lives until it returns. */
#ifndef CLOUDLESS_STORAGE_LOGS_STORE_H
#define CLOUDLESS_STORAGE_LOGS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_conn;

/* What a logs storage call reports. */
enum logs_err {
    LOGS_OK = 0,
    LOGS_ERR_NO_GROUP,             /* the log group does not exist */
    LOGS_ERR_NO_STREAM,            /* the log stream does not exist */
    LOGS_ERR_GROUP_EXISTS,         /* create: the log group is there already */
    LOGS_ERR_STREAM_EXISTS,        /* create: the log stream is there already */
    LOGS_ERR_NOMEM,
    LOGS_ERR_STORAGE,              /* SQLite failed */
};

/* ---- groups (storage/logs/groups.c) --------------------------------------- */

struct logs_group_info {
    const char *name;
    int64_t created_ms;
    int64_t retention_days;        /* -1: kept forever */
    int64_t stored_bytes;          /* its streams' together */
};

/* LOGS_OK or LOGS_ERR_NO_GROUP (or LOGS_ERR_STORAGE). */
enum logs_err logs_group_exists(struct store_conn *reader, const char *account, const char *group);
/* tags_json: the group's tags as a JSON object. LOGS_ERR_GROUP_EXISTS when
 * it exists (unchanged). */
enum logs_err logs_create_group(struct store_conn *writer, const char *account, const char *group,
                                const char *tags_json, int64_t now_ms);
/* The group, its streams and their events. */
enum logs_err logs_delete_group(struct store_conn *writer, const char *account, const char *group);
/* days < 0 removes the retention policy. */
enum logs_err logs_set_retention(struct store_conn *writer, const char *account, const char *group,
                                 int64_t days);
/* The account's groups named after `after`, starting with `prefix` and
 * containing `infix` ("" for any), by name. */
enum logs_err logs_list_groups(struct store_conn *reader, const char *account, const char *after,
                               const char *prefix, const char *infix,
                               bool (*visit)(void *arg, const struct logs_group_info *g), void *arg);

/* ---- streams (storage/logs/streams.c) -------------------------------------- */

struct logs_stream_info {
    const char *name;
    int64_t created_ms;
    bool has_events;               /* the three times below are set */
    int64_t first_ts, last_ts, last_ingest_ms;
    int64_t stored_bytes;
};

/* LOGS_OK or LOGS_ERR_NO_STREAM (or LOGS_ERR_STORAGE). */
enum logs_err logs_stream_exists(struct store_conn *reader, const char *account, const char *group,
                                 const char *stream);
/* LOGS_ERR_STREAM_EXISTS when it exists. The caller checks the group. */
enum logs_err logs_create_stream(struct store_conn *writer, const char *account, const char *group,
                                 const char *stream, int64_t now_ms);
/* The stream and its events. */
enum logs_err logs_delete_stream(struct store_conn *writer, const char *account, const char *group,
                                 const char *stream);
/* The group's streams starting with `prefix`, skipping the first `offset`,
 * by name or (by_last_event) by their last event's time, descending or not. */
enum logs_err logs_list_streams(struct store_conn *reader, const char *account, const char *group,
                                const char *prefix, bool by_last_event, bool descending, int64_t offset,
                                bool (*visit)(void *arg, const struct logs_stream_info *s), void *arg);

/* ---- events (storage/logs/events.c) ----------------------------------------- */

/* An event to store: where it goes and its message (len bytes). */
struct logs_new_event {
    char account[13];
    char *group;
    char *stream;
    int64_t ts;
    char *message;
    size_t len;
};

/* An event read back: position (ts, id), message of len bytes. */
struct logs_event {
    int64_t id;
    int64_t ts;
    int64_t ingest_ms;
    const char *stream;            /* scans of a group */
    const char *message;           /* len bytes, then a NUL */
    size_t len;
};

/* Stores a batch of events, each in its own group and stream (both created
 * when missing); each stream's statistics are updated once per batch. */
enum logs_err logs_put_events(struct store_conn *writer, const struct logs_new_event *events, size_t n,
                              int64_t now_ms);
/* At most `limit` events of one stream with start <= ts < end, strictly
 * after position (after_ts, after_id) in time order — or, backward, before
 * it, newest first. */
enum logs_err logs_read_stream(struct store_conn *reader, const char *account, const char *group,
                               const char *stream, int64_t start, int64_t end, bool backward,
                               int64_t after_ts, int64_t after_id, int64_t limit,
                               bool (*visit)(void *arg, const struct logs_event *e), void *arg);
/* A group's events with start <= ts <= end after position (after_ts,
 * after_id), every stream together, in time order. */
enum logs_err logs_scan_group(struct store_conn *reader, const char *account, const char *group,
                              int64_t start, int64_t end, int64_t after_ts, int64_t after_id,
                              bool (*visit)(void *arg, const struct logs_event *e), void *arg);
/* Deletes the events older than their group's retention at now_ms. */
enum logs_err logs_expire_events(struct store_conn *writer, int64_t now_ms);

/* ---- tags (storage/logs/tags.c) --------------------------------------------- */

/* The group's tags as a JSON object (*json to be freed). */
enum logs_err logs_get_group_tags(struct store_conn *reader, const char *account, const char *group,
                                  char **json);
/* Replaces the group's tags with tags_json, a JSON object. */
enum logs_err logs_set_group_tags(struct store_conn *writer, const char *account, const char *group,
                                  const char *tags_json);

#endif
