/* s3_entry: how the dispatcher hands a request to the S3 service. */
#ifndef CLOUDLESS_S3_ENTRY_H
#define CLOUDLESS_S3_ENTRY_H

struct http_req;

void s3_handle_request(struct http_req *req);

/* Registers S3's event destinations that live in the S3 service (SQS) with
 * srv->bus (server/s3/notification.c). -1 on ENOMEM. */
struct server;
int s3_notification_start(struct server *srv);

#endif
