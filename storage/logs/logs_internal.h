/* logs_internal: what the storage/logs/ files share and nobody else sees. */
#ifndef CLOUDLESS_STORAGE_LOGS_INTERNAL_H
#define CLOUDLESS_STORAGE_LOGS_INTERNAL_H

#include <stdint.h>

#include "storage/core/store_internal.h"
#include "storage/logs/logs_store.h"

/* Runs `sql` (a string literal, cached on the connection) with texts a, b,
 * c bound to ?1, ?2, ?3 (NULL: left unbound) and i4 to ?4. The rows it
 * changed, or -1 (storage/logs/groups.c). */
int logs_exec(struct store_conn *conn, const char *sql, const char *a, const char *b, const char *c,
              int64_t i4);

#endif
