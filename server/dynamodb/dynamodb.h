/* dynamodb: how the process creates Amazon DynamoDB and how the
 * dispatcher hands it requests (JSON 1.0, X-Amz-Target
 * DynamoDB_20120810.*: server/dynamodb/service.c). */
#ifndef CLOUDLESS_DYNAMODB_H
#define CLOUDLESS_DYNAMODB_H

#include <stddef.h>

struct server;
struct service_def;
struct ddb_service;

/* Loads nothing eagerly: tables are read when first used. Resumes the
 * work a previous run left (purges of deleted tables, index backfills). */
struct ddb_service *ddb_service_new(struct server *srv, char *err, size_t errlen);
void ddb_service_free(struct ddb_service *ds);

/* The service: X-Amz-Target DynamoDB_20120810.* (protocol/dynamodb/operations.h). */
extern const struct service_def ddb_service_def;

#endif
