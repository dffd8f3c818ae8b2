/* s3_entry: how the dispatcher hands a request to the S3 service. */
#ifndef CLOUDLESS_S3_ENTRY_H
#define CLOUDLESS_S3_ENTRY_H

struct http_req;

void s3_handle_request(struct http_req *req);

#endif
