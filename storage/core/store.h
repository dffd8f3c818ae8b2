/* store: the durable store every service shares — SQLite metadata plus the
 * content-addressed blob store, and the group commit that makes writes
 * durable. Knows nothing of HTTP or sockets, nor of any service: S3's
 * state and rules are storage/s3/s3.h; other services write through
 * store_submit() (below).
 *
 * Layout under data_dir: meta.db (SQLite, WAL), blobs/ab/cd/<sha256>,
 * tmp/ (bodies being received). Keys are data, never paths.
 *
 * Threads: reads run on the caller's thread (the server's event loop) on a
 * read-only connection. Every mutation is queued to one commit thread that
 * takes everything queued while its previous batch ran
 * and makes it durable as a group: fdatasync of each new blob, rename into
 * blobs/, fsync of the directories touched, then one SQLite transaction
 * (synchronous=FULL) with a savepoint per operation, so one failing operation
 * never undoes the others. Only after that commit is each operation's
 * callback run — on the loop thread, from store_dispatch_completions() — so
 * an acknowledged write survives kill -9.
 *
 * Blob reference counts live in SQLite; store_gc() removes blobs nobody
 * references and temp files left by a crash. */
#ifndef CLOUDLESS_STORE_H
#define CLOUDLESS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Opens (creating if needed) the store under data_dir and runs migrations.
 * On failure returns -1 and writes a one-line reason into err. */
int store_open(const char *data_dir, struct store **out, char *err, size_t errlen);
/* Waits for queued writes to commit and bodies to be written, runs their
 * completions and stops the store's threads; writes are refused after it
 * and writers are freed at once. For shutdown, before freeing whatever
 * still holds writers. */
void store_stop(struct store *st);
/* store_stop() if not done, then closes everything. */
void store_close(struct store *st);

/* The commit thread calls notify(arg) from its own thread when completions
 * are ready; the owner of the loop then calls store_dispatch_completions()
 * on the loop thread. */
void store_set_notifier(struct store *st, void (*notify)(void *arg), void *arg);
void store_dispatch_completions(struct store *st);

/* ---- blobs ---------------------------------------------------------- */

/* Receives a body while computing its MD5 and SHA-256 (see blob_writer.c):
 * small bodies stay in memory, large ones are hashed and written to tmp/ by
 * the store's blob I/O thread, so the loop only copies bytes. */
struct blob_writer;
int blob_writer_new(struct store *st, struct blob_writer **out);          /* -1, errno set */
/* A writer that hashes and writes on the calling thread. */
int blob_writer_new_sync(struct store *st, struct blob_writer **out);
/* 0: go on; 1: taken, but the disk is behind — stop feeding until the
 * drain callback runs; -1: error (errno). */
int blob_writer_write(struct blob_writer *bw, const void *data, size_t len);
/* The callback (on the loop thread) that says to feed again after a 1. */
void blob_writer_set_drain(struct blob_writer *bw, void (*cb)(void *arg), void *arg);
/* Ends the body: done(arg, err) runs on the loop thread — possibly before
 * this returns — once the digests are final and a file body is fdatasynced;
 * err is 0 or an errno. No more writes. */
void blob_writer_finish(struct blob_writer *bw, void (*done)(void *arg, int err), void *arg);
/* The same for a sync writer; 0 or -1 (errno). */
int blob_writer_finish_sync(struct blob_writer *bw);
int64_t blob_writer_size(const struct blob_writer *bw);
/* Also computes checksum `alg` (protocol/checksum.h) over the body, where
 * its MD5 is computed (for a large body on the I/O threads, off the loop).
 * Before the first write; at most BLOB_WRITER_MAX_CHECKSUMS. Returns its
 * slot, or -1. */
#define BLOB_WRITER_MAX_CHECKSUMS 3
int blob_writer_add_checksum(struct blob_writer *bw, int alg);
/* After finish: the digest of a slot (big-endian for CRCs) and its length. */
size_t blob_writer_checksum(const struct blob_writer *bw, int slot, unsigned char out[32]);
const unsigned char *blob_writer_md5(const struct blob_writer *bw);     /* 16 bytes, after finish */
const unsigned char *blob_writer_sha256(const struct blob_writer *bw);  /* 32 bytes, after finish */
/* Deletes any temp file and frees (on the loop thread, once the I/O thread
 * has let go of it); callbacks no longer run. Safe on NULL. */
void blob_writer_discard(struct blob_writer *bw);

/* Opens a blob for reading (O_RDONLY|O_CLOEXEC). -1 with errno on failure. */
int store_open_blob(struct store *st, const char *sha256_hex);

/* ---- reads (loop thread) ------------------------------------------- */

/* Brackets a request's reads in one read transaction (nestable): they see
 * one snapshot, and SQLite's locks are taken once instead of per read. The
 * caller must end the scope before returning to the event loop. 0 or -1. */
int store_read_scope_begin(struct store *st);
void store_read_scope_end(struct store *st);
/* The snapshot the loop's reads see now: a new number for each outermost
 * scope, 0 outside one. Something read under snapshot N is still current
 * while store_read_snapshot() is N. */
uint64_t store_read_snapshot(struct store *st);

/* ---- other services' durable state ------------------------------------
 * Services other than S3 (SQS, ...) keep their tables in the same database
 * (their schema steps are listed in db.c's module registry) and write
 * through the same group commit, always through the typed functions of
 * their storage/<svc>/ room: no SQL and no sqlite3 handle leaves storage/.
 *
 * A struct store_conn is a connection as those functions take it: the
 * writer inside a store_submit() apply callback, or the loop thread's
 * reader (store_reader()). apply runs on the commit thread, inside the
 * batch transaction under its own savepoint; it returns 0, or -1 to undo
 * its own changes. done then runs on the loop thread from
 * store_dispatch_completions(), ok telling whether apply succeeded and the
 * batch committed. Returns -1 (store closing or no memory) when nothing
 * was queued; done will not run then. */
struct store_conn;
int store_submit(struct store *st, int (*apply)(struct store_conn *writer, void *arg),
                 void (*done)(void *arg, bool ok), void *arg);
/* The read-only connection of the loop thread: for a service loading its
 * state at start-up, or answering reads. */
struct store_conn *store_reader(struct store *st);

/* ---- garbage collection ------------------------------------------------ */

/* Removes unreferenced blobs and temp files older than `tmp_age_s` seconds,
 * on the commit thread, alone; done(arg, ok, removed) then runs on the loop
 * thread with how many blobs and files went (done may be NULL). 0 when
 * queued, -1 when not. */
int store_gc(struct store *st, int tmp_age_s, void (*done)(void *arg, bool ok, size_t removed), void *arg);

#endif
