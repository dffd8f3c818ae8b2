/* s3_entry: how the dispatcher hands a request to the S3 service. */
#ifndef CLOUDLESS_S3_ENTRY_H
#define CLOUDLESS_S3_ENTRY_H

struct http_req;
struct service_def;

/* Claims every request no other service claimed: S3 owns the path space. */
extern const struct service_def s3_service_def;

/* Registers S3's event destinations that live in the S3 service (SQS) with
 * srv->bus (server/s3/notification.c). -1 on ENOMEM. */
struct server;
int s3_notification_start(struct server *srv);

#endif
