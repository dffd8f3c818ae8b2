/* protocol/core uuid: random (version 4) UUIDs in their 36-character form,
 * the one copy: Lambda request ids, event source mapping ids, event ids;
 * and ids derived from a name (S3's AWS managed KMS key of an account). */
#ifndef CLOUDLESS_PROTOCOL_UUID_H
#define CLOUDLESS_PROTOCOL_UUID_H

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from OpenSSL's generator. */
void uuid_v4(char out[37]);
/* The same shape, derived from `name` (its SHA-256): the same name always
 * gives the same id, for ids that must be stable without being stored. */
void uuid_from_name(const char *name, char out[37]);

#endif
