/* lambda_code: function code — zips checked, stored and unpacked on a
 * worker thread, never on the event loop.
 *
 * A job's bytes (a decoded ZipFile, or the pieces of an S3 object) are
 * written to <lambda>/code/tmp-* while hashed with SHA-256 and fsynced.
 * libzip then reads the directory: every entry must have a relative path
 * without `..` components, no symlink (unix mode S_IFLNK in the external
 * attributes), and the declared sizes must add up to at most 250 MB
 * (262144000 bytes). A good zip is renamed to code/<sha256>.zip (the same
 * content is stored once) and unpacked into fn/<sha256>.tmp-*, renamed to
 * fn/<sha256> when complete, so a tree that exists is whole. Bytes written
 * are counted too, so a zip that lies about its sizes is still stopped.
 * Completions go to a queue that an event drains on the loop thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <zip.h>

#include "server/lambda/lambda.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "protocol/core/hex.h"
#include "protocol/core/base64.h"

struct code_job {
    struct code_job *next;
    struct lambda_code_piece *pieces;
    size_t n_pieces;
    void (*done)(void *arg, const struct lambda_code_result *r);
    void *arg;
    struct lambda_code_result result;
};

struct lambda_code {
    char *dir;                     /* <lambda> */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct code_job *todo, *todo_tail;
    struct code_job *finished;
    bool stopping;
    struct event *done_event;
};

const char *lambda_code_error_message(int err)
{
    switch (err) {
    case LAMBDA_CODE_CORRUPT:
        return "Could not unzip uploaded file. Please check your file, then try to upload again.";
    case LAMBDA_CODE_UNSAFE_PATH:
        return "Could not unzip uploaded file. The zip file contains an entry whose path is absolute or leaves the function's directory (\"..\").";
    case LAMBDA_CODE_SYMLINK:
        return "Could not unzip uploaded file. Symbolic links are not supported in function code.";
    case LAMBDA_CODE_TOO_LARGE_ZIP:
        return "Zipped size must be smaller than 52428800 bytes";
    case LAMBDA_CODE_TOO_LARGE_UNZIPPED:
        return "Unzipped size must be smaller than 262144000 bytes";
    default:
        return "An error occurred while storing the function code.";
    }
}

void lambda_code_dir(struct lambda_service *svc, const char *sha_hex, char *out, size_t cap)
{
    snprintf(out, cap, "%s/fn/%s", svc->lambda_dir, sha_hex);
}

static void free_pieces(struct lambda_code_piece *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].fd >= 0)
            close(p[i].fd);
        free(p[i].data);
    }
    free(p);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Copies the pieces into the temp file while hashing; LAMBDA_CODE_*. */
static int spool(struct code_job *job, int fd, EVP_MD_CTX *md, int64_t *size)
{
    static unsigned char buf[1 << 16];
    *size = 0;
    for (size_t i = 0; i < job->n_pieces; i++) {
        struct lambda_code_piece *p = &job->pieces[i];
        if (p->fd < 0) {
            if (write_all(fd, p->data, (size_t)p->len) < 0)
                return LAMBDA_CODE_IO;
            EVP_DigestUpdate(md, p->data, (size_t)p->len);
            *size += p->len;
        } else {
            ssize_t r;
            while ((r = read(p->fd, buf, sizeof(buf))) > 0) {
                if (write_all(fd, buf, (size_t)r) < 0)
                    return LAMBDA_CODE_IO;
                EVP_DigestUpdate(md, buf, (size_t)r);
                *size += r;
                if (*size > LAMBDA_ZIP_MAX)
                    return LAMBDA_CODE_TOO_LARGE_ZIP;
            }
            if (r < 0)
                return LAMBDA_CODE_IO;
        }
        if (*size > LAMBDA_ZIP_MAX)
            return LAMBDA_CODE_TOO_LARGE_ZIP;
    }
    return fsync(fd) == 0 ? LAMBDA_CODE_OK : LAMBDA_CODE_IO;
}

static bool path_is_safe(const char *name)
{
    if (!*name || name[0] == '/' || name[0] == '\\' || strchr(name, '\\'))
        return false;
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        if (!slash)
            break;
        p = slash + 1;
    }
    return true;
}

static int check_entries(zip_t *z)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    uint64_t total = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME))
            return LAMBDA_CODE_CORRUPT;
        if (!path_is_safe(st.name))
            return LAMBDA_CODE_UNSAFE_PATH;
        zip_uint8_t opsys;
        zip_uint32_t attr;
        if (zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &opsys, &attr) == 0 &&
            opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK)
            return LAMBDA_CODE_SYMLINK;
        if (st.valid & ZIP_STAT_SIZE)
            total += st.size;
        if (total > LAMBDA_UNZIPPED_MAX)
            return LAMBDA_CODE_TOO_LARGE_UNZIPPED;
    }
    return LAMBDA_CODE_OK;
}

/* mkdir -p of the directories above `path` (relative to root). */
static int make_parents(const char *root, const char *rel)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", root, rel);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -1;
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int extract_entry(zip_t *z, zip_uint64_t i, const char *root, uint64_t *written)
{
    static char buf[1 << 16];
    zip_stat_t st;
    if (zip_stat_index(z, i, 0, &st) < 0)
        return LAMBDA_CODE_CORRUPT;
    size_t len = strlen(st.name);
    if (make_parents(root, st.name) < 0)
        return LAMBDA_CODE_IO;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, st.name);
    if (st.name[len - 1] == '/')
        return mkdir(path, 0755) == 0 || errno == EEXIST ? LAMBDA_CODE_OK : LAMBDA_CODE_IO;
    zip_uint8_t opsys;
    zip_uint32_t attr;
    mode_t mode = 0644;
    if (zip_file_get_external_attributes(z, i, 0, &opsys, &attr) == 0 && opsys == ZIP_OPSYS_UNIX &&
        (attr >> 16) & 0777)
        mode = (attr >> 16) & 0755;
    zip_file_t *zf = zip_fopen_index(z, i, 0);
    if (!zf)
        return LAMBDA_CODE_CORRUPT;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode | 0400);
    if (fd < 0) {
        zip_fclose(zf);
        return LAMBDA_CODE_IO;
    }
    int rc = LAMBDA_CODE_OK;
    zip_int64_t r;
    while ((r = zip_fread(zf, buf, sizeof(buf))) > 0) {
        *written += (uint64_t)r;
        if (*written > LAMBDA_UNZIPPED_MAX) {
            rc = LAMBDA_CODE_TOO_LARGE_UNZIPPED;
            break;
        }
        if (write_all(fd, buf, (size_t)r) < 0) {
            rc = LAMBDA_CODE_IO;
            break;
        }
    }
    if (r < 0)
        rc = LAMBDA_CODE_CORRUPT;
    zip_fclose(zf);
    if (close(fd) < 0 && rc == LAMBDA_CODE_OK)
        rc = LAMBDA_CODE_IO;
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes a half-written temp tree. */
static void remove_tree(const char *path)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        log_warn("lambda: cannot remove %s: %s", path, strerror(errno));
}

static int unpack(zip_t *z, const char *dir, const char *sha_hex)
{
    char final[4096], tmp[4096];
    snprintf(final, sizeof(final), "%s/fn/%s", dir, sha_hex);
    if (access(final, F_OK) == 0)
        return LAMBDA_CODE_OK;
    snprintf(tmp, sizeof(tmp), "%s/fn/%s.tmp-%d", dir, sha_hex, (int)getpid());
    remove_tree(tmp);
    if (mkdir(tmp, 0755) < 0)
        return LAMBDA_CODE_IO;
    uint64_t written = 0;
    int rc = LAMBDA_CODE_OK;
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n && rc == LAMBDA_CODE_OK; i++)
        rc = extract_entry(z, (zip_uint64_t)i, tmp, &written);
    if (rc == LAMBDA_CODE_OK && rename(tmp, final) < 0 && errno != ENOTEMPTY && errno != EEXIST)
        rc = LAMBDA_CODE_IO;
    if (rc != LAMBDA_CODE_OK || access(tmp, F_OK) == 0)
        remove_tree(tmp);
    return rc;
}

static void encode_sha(const unsigned char sha[32], struct lambda_code_result *r)
{
    hex_encode(sha, 32, r->sha_hex);
    base64_encode(sha, 32, r->sha_b64);
}

/* Validates and stores a spooled zip; LAMBDA_CODE_*. */
static int store_zip(struct lambda_code *c, const char *tmp_path, struct lambda_code_result *r)
{
    int zerr = 0;
    zip_t *z = zip_open(tmp_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!z)
        return LAMBDA_CODE_CORRUPT;
    int rc = check_entries(z);
    if (rc == LAMBDA_CODE_OK)
        rc = unpack(z, c->dir, r->sha_hex);
    zip_discard(z);
    if (rc != LAMBDA_CODE_OK)
        return rc;
    char final[4096];
    snprintf(final, sizeof(final), "%s/code/%s.zip", c->dir, r->sha_hex);
    return rename(tmp_path, final) == 0 ? LAMBDA_CODE_OK : LAMBDA_CODE_IO;
}

static void run_job(struct lambda_code *c, struct code_job *job)
{
    char tmp_path[4096];
    snprintf(tmp_path, sizeof(tmp_path), "%s/code/tmp-XXXXXX", c->dir);
    int fd = mkostemp(tmp_path, O_CLOEXEC);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (fd < 0 || !md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        job->result.err = LAMBDA_CODE_IO;
        if (fd >= 0) {
            close(fd);
            unlink(tmp_path);
        }
        EVP_MD_CTX_free(md);
        return;
    }
    int rc = spool(job, fd, md, &job->result.size);
    close(fd);
    unsigned char sha[32];
    unsigned int sha_len = 0;
    EVP_DigestFinal_ex(md, sha, &sha_len);
    EVP_MD_CTX_free(md);
    if (rc == LAMBDA_CODE_OK) {
        encode_sha(sha, &job->result);
        rc = store_zip(c, tmp_path, &job->result);
    }
    if (rc != LAMBDA_CODE_OK)
        unlink(tmp_path);
    job->result.err = rc;
}

static void *worker(void *arg)
{
    struct lambda_code *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->todo && !c->stopping)
            pthread_cond_wait(&c->cond, &c->mu);
        if (!c->todo)
            break;
        struct code_job *job = c->todo;
        c->todo = job->next;
        if (!c->todo)
            c->todo_tail = NULL;
        pthread_mutex_unlock(&c->mu);
        run_job(c, job);
        free_pieces(job->pieces, job->n_pieces);
        job->pieces = NULL;
        pthread_mutex_lock(&c->mu);
        job->next = c->finished;
        c->finished = job;
        event_active(c->done_event, EV_READ, 0);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct lambda_code *c = arg;
    pthread_mutex_lock(&c->mu);
    struct code_job *list = c->finished;
    c->finished = NULL;
    pthread_mutex_unlock(&c->mu);
    /* Completed newest first: reverse to answer in submission order. */
    struct code_job *ordered = NULL;
    while (list) {
        struct code_job *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        struct code_job *job = ordered;
        ordered = job->next;
        job->done(job->arg, &job->result);
        free(job);
    }
}

int lambda_code_submit(struct lambda_code *c, struct lambda_code_piece *pieces, size_t n,
                       void (*done)(void *arg, const struct lambda_code_result *r), void *arg)
{
    struct code_job *job = calloc(1, sizeof(*job));
    if (!job) {
        free_pieces(pieces, n);
        return -1;
    }
    job->pieces = pieces;
    job->n_pieces = n;
    job->done = done;
    job->arg = arg;
    pthread_mutex_lock(&c->mu);
    if (c->todo_tail)
        c->todo_tail->next = job;
    else
        c->todo = job;
    c->todo_tail = job;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static int make_dir(const char *base, const char *sub)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s%s%s", base, sub ? "/" : "", sub ? sub : "");
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

struct lambda_code *lambda_code_new(struct server *srv, const char *lambda_dir)
{
    if (make_dir(lambda_dir, NULL) < 0 || make_dir(lambda_dir, "code") < 0 ||
        make_dir(lambda_dir, "fn") < 0) {
        log_error("lambda: cannot create %s: %s", lambda_dir, strerror(errno));
        return NULL;
    }
    struct lambda_code *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->dir = strdup(lambda_dir);
    c->done_event = event_new(srv->base, -1, 0, on_done, c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (!c->dir || !c->done_event || pthread_create(&c->thread, NULL, worker, c) != 0) {
        lambda_code_free(c);
        return NULL;
    }
    c->thread_started = true;
    return c;
}

void lambda_code_free(struct lambda_code *c)
{
    if (!c)
        return;
    if (c->thread_started) {
        pthread_mutex_lock(&c->mu);
        c->stopping = true;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
    }
    /* Jobs not run or not answered: their requests are being freed too. */
    struct code_job *lists[2] = {c->todo, c->finished};
    for (int i = 0; i < 2; i++) {
        while (lists[i]) {
            struct code_job *next = lists[i]->next;
            free_pieces(lists[i]->pieces, lists[i]->n_pieces);
            free(lists[i]);
            lists[i] = next;
        }
    }
    if (c->done_event)
        event_free(c->done_event);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cond);
    free(c->dir);
    free(c);
}
