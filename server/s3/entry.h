/* s3_entry: how the process starts the S3 service's background parts and
 * the dispatcher hands it a request. */
#ifndef CLOUDLESS_S3_ENTRY_H
#define CLOUDLESS_S3_ENTRY_H

#include <stdbool.h>

struct http_req;
struct service_def;

/* Claims every request no other service claimed: S3 owns the path space. */
extern const struct service_def s3_service_def;

/* Registers S3's event destinations that live in the S3 service (SQS) with
 * srv->bus (server/s3/notification.c). -1 on ENOMEM. */
struct server;
int s3_notification_start(struct server *srv);

/* Website endpoint (server/s3/website.c): answers and returns true when
 * Host names one. */
bool s3_website_handle(struct http_req *req);

/* Lifecycle sweep every cfg->lifecycle_interval_s seconds
 * (server/s3/lifecycle.c). */
struct s3_lifecycle;
struct s3_lifecycle *s3_lifecycle_start(struct server *srv);
void s3_lifecycle_stop(struct s3_lifecycle *lc);

#endif
