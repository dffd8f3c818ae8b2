/* s3_schema: the S3 tables, as an ordered list of schema steps (see
 * db_migrate in db.c). A change to the S3 schema is a new step at the end;
 * steps already released never change.
 *
 * Blob reference counts are kept by triggers on the tables that point at
 * blobs, so every insert or delete of a segment or part (cascades included)
 * moves the count. A small blob's bytes live in blob_data (data_id set),
 * appended in rowid order so a write touches its last leaf only, while the
 * blobs rows keyed by the random SHA-256 stay small; data_id NULL means the
 * file blobs/ab/cd/<sha256>. Segments and parts are not indexed by blob:
 * an index on a random key costs every write a WAL page of its own, and GC
 * deletes only rows that nothing references. */
#include "storage/core/store_internal.h"

static const struct schema_step steps[] = {
    {"buckets-objects-uploads-blobs",
        "CREATE TABLE buckets("
        "  name TEXT PRIMARY KEY,"
        "  owner TEXT NOT NULL,"
        "  region TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL"
        ") WITHOUT ROWID;"
        "CREATE INDEX buckets_by_owner ON buckets(owner, name);"
        "CREATE TABLE blobs("
        "  sha256 TEXT PRIMARY KEY,"
        "  size INTEGER NOT NULL,"
        "  refcount INTEGER NOT NULL DEFAULT 0,"
        "  data_id INTEGER"
        ") WITHOUT ROWID;"
        "CREATE INDEX blobs_unreferenced ON blobs(sha256) WHERE refcount <= 0;"
        "CREATE TABLE objects("
        "  bucket TEXT NOT NULL REFERENCES buckets(name),"
        "  key TEXT NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  etag TEXT NOT NULL,"
        "  last_modified_ms INTEGER NOT NULL,"
        "  owner TEXT NOT NULL,"
        "  storage_class TEXT,"
        "  content_type TEXT, content_encoding TEXT, content_disposition TEXT,"
        "  content_language TEXT, cache_control TEXT, expires TEXT,"
        "  user_meta TEXT NOT NULL DEFAULT '{}',"
        "  parts_count INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY(bucket, key)"
        ") WITHOUT ROWID;"
        "CREATE TABLE object_segments("
        "  bucket TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  idx INTEGER NOT NULL,"
        "  blob TEXT NOT NULL REFERENCES blobs(sha256),"
        "  size INTEGER NOT NULL,"
        "  PRIMARY KEY(bucket, key, idx),"
        "  FOREIGN KEY(bucket, key) REFERENCES objects(bucket, key) ON DELETE CASCADE"
        ") WITHOUT ROWID;"
        "CREATE TABLE uploads("
        "  upload_id TEXT PRIMARY KEY,"
        "  bucket TEXT NOT NULL REFERENCES buckets(name),"
        "  key TEXT NOT NULL,"
        "  initiated_ms INTEGER NOT NULL,"
        "  owner TEXT NOT NULL,"
        "  storage_class TEXT,"
        "  content_type TEXT, content_encoding TEXT, content_disposition TEXT,"
        "  content_language TEXT, cache_control TEXT, expires TEXT,"
        "  user_meta TEXT NOT NULL DEFAULT '{}'"
        ") WITHOUT ROWID;"
        "CREATE INDEX uploads_by_key ON uploads(bucket, key, initiated_ms, upload_id);"
        "CREATE TABLE parts("
        "  upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,"
        "  part_number INTEGER NOT NULL,"
        "  etag TEXT NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  blob TEXT REFERENCES blobs(sha256),"
        "  last_modified_ms INTEGER NOT NULL,"
        "  PRIMARY KEY(upload_id, part_number)"
        ") WITHOUT ROWID;"
        "CREATE TRIGGER segment_ref AFTER INSERT ON object_segments BEGIN"
        "  UPDATE blobs SET refcount = refcount + 1 WHERE sha256 = NEW.blob; END;"
        "CREATE TRIGGER segment_unref AFTER DELETE ON object_segments BEGIN"
        "  UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = OLD.blob; END;"
        "CREATE TRIGGER part_ref AFTER INSERT ON parts WHEN NEW.blob IS NOT NULL BEGIN"
        "  UPDATE blobs SET refcount = refcount + 1 WHERE sha256 = NEW.blob; END;"
        "CREATE TRIGGER part_unref AFTER DELETE ON parts WHEN OLD.blob IS NOT NULL BEGIN"
        "  UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = OLD.blob; END;"
        "CREATE TABLE blob_data(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
        "CREATE TRIGGER blob_data_drop AFTER DELETE ON blobs WHEN OLD.data_id IS NOT NULL BEGIN"
        "  DELETE FROM blob_data WHERE id = OLD.data_id; END;"},
    /* Versioning, tags and object lock. `objects` stays the latest version
     * of each key (a delete marker included, so DeleteBucket still sees a
     * versioned key); every older version moves to object_versions, newest
     * = highest seq, with its segments in version_segments. */
    {"versions-tags-object-lock",
        "ALTER TABLE buckets ADD COLUMN versioning TEXT;"
        "ALTER TABLE buckets ADD COLUMN object_lock INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE buckets ADD COLUMN lock_mode TEXT;"
        "ALTER TABLE buckets ADD COLUMN lock_days INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE buckets ADD COLUMN lock_years INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE buckets ADD COLUMN tags TEXT;"
        "ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';"
        "ALTER TABLE objects ADD COLUMN delete_marker INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';"
        "ALTER TABLE objects ADD COLUMN lock_mode TEXT;"
        "ALTER TABLE objects ADD COLUMN lock_until_ms INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE objects ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE uploads ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';"
        "ALTER TABLE uploads ADD COLUMN lock_mode TEXT;"
        "ALTER TABLE uploads ADD COLUMN lock_until_ms INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE uploads ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;"
        "CREATE TABLE object_versions("
        "  bucket TEXT NOT NULL REFERENCES buckets(name),"
        "  key TEXT NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  etag TEXT NOT NULL,"
        "  last_modified_ms INTEGER NOT NULL,"
        "  owner TEXT NOT NULL,"
        "  storage_class TEXT,"
        "  content_type TEXT, content_encoding TEXT, content_disposition TEXT,"
        "  content_language TEXT, cache_control TEXT, expires TEXT,"
        "  user_meta TEXT NOT NULL DEFAULT '{}',"
        "  parts_count INTEGER NOT NULL DEFAULT 0,"
        "  version_id TEXT NOT NULL,"
        "  delete_marker INTEGER NOT NULL DEFAULT 0,"
        "  tags TEXT NOT NULL DEFAULT '{}',"
        "  lock_mode TEXT,"
        "  lock_until_ms INTEGER NOT NULL DEFAULT 0,"
        "  legal_hold INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY(bucket, key, seq)"
        ") WITHOUT ROWID;"
        "CREATE UNIQUE INDEX object_versions_by_id ON object_versions(bucket, key, version_id);"
        "CREATE TABLE version_segments("
        "  bucket TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  idx INTEGER NOT NULL,"
        "  blob TEXT NOT NULL REFERENCES blobs(sha256),"
        "  size INTEGER NOT NULL,"
        "  PRIMARY KEY(bucket, key, seq, idx),"
        "  FOREIGN KEY(bucket, key, seq) REFERENCES object_versions(bucket, key, seq)"
        "    ON DELETE CASCADE"
        ") WITHOUT ROWID;"
        "CREATE TRIGGER version_segment_ref AFTER INSERT ON version_segments BEGIN"
        "  UPDATE blobs SET refcount = refcount + 1 WHERE sha256 = NEW.blob; END;"
        "CREATE TRIGGER version_segment_unref AFTER DELETE ON version_segments BEGIN"
        "  UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = OLD.blob; END;"},
    /* Checksums (x-amz-checksum-*): each version keeps its algorithm,
     * base64 value and type, and a multipart one the size and checksum of
     * every part (for GetObjectAttributes). An upload keeps the algorithm
     * and type it was created with; a part its checksum, and always its
     * CRC64NVME, from which a full-object CRC64NVME is combined when the
     * upload named no algorithm. */
    {"checksums",
        "ALTER TABLE objects ADD COLUMN checksum_alg TEXT;"
        "ALTER TABLE objects ADD COLUMN checksum TEXT;"
        "ALTER TABLE objects ADD COLUMN checksum_type TEXT;"
        "ALTER TABLE objects ADD COLUMN part_checksums TEXT;"
        "ALTER TABLE object_versions ADD COLUMN checksum_alg TEXT;"
        "ALTER TABLE object_versions ADD COLUMN checksum TEXT;"
        "ALTER TABLE object_versions ADD COLUMN checksum_type TEXT;"
        "ALTER TABLE object_versions ADD COLUMN part_checksums TEXT;"
        "ALTER TABLE uploads ADD COLUMN checksum_alg TEXT;"
        "ALTER TABLE uploads ADD COLUMN checksum_type TEXT;"
        "ALTER TABLE parts ADD COLUMN checksum_alg TEXT;"
        "ALTER TABLE parts ADD COLUMN checksum TEXT;"
        "ALTER TABLE parts ADD COLUMN crc64nvme TEXT;"},
    {"upload-acl",
        "ALTER TABLE uploads ADD COLUMN acl TEXT;"},
    /* Conditional CompleteMultipartUpload: whether the key had an object
     * when the upload was created (deleted since: ConditionalRequestConflict). */
    {"upload-key-existed",
        "ALTER TABLE uploads ADD COLUMN key_existed INTEGER NOT NULL DEFAULT 0;"},
    /* Server-side encryption as S3 reports it: the algorithm (NULL for
     * AES256, SSE-S3, which every object has unless it says otherwise), a
     * KMS key's ARN and bucket key, or an SSE-C key's MD5 (never the key). */
    {"server-side-encryption",
        "ALTER TABLE objects ADD COLUMN sse TEXT;"
        "ALTER TABLE objects ADD COLUMN sse_kms_key_id TEXT;"
        "ALTER TABLE objects ADD COLUMN sse_bucket_key INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE objects ADD COLUMN sse_customer_key_md5 TEXT;"
        "ALTER TABLE object_versions ADD COLUMN sse TEXT;"
        "ALTER TABLE object_versions ADD COLUMN sse_kms_key_id TEXT;"
        "ALTER TABLE object_versions ADD COLUMN sse_bucket_key INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE object_versions ADD COLUMN sse_customer_key_md5 TEXT;"
        "ALTER TABLE uploads ADD COLUMN sse TEXT;"
        "ALTER TABLE uploads ADD COLUMN sse_kms_key_id TEXT;"
        "ALTER TABLE uploads ADD COLUMN sse_bucket_key INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE uploads ADD COLUMN sse_customer_key_md5 TEXT;"},
};

const struct schema_module s3_schema = {"s3", steps, sizeof(steps) / sizeof(steps[0])};
