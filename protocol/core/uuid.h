/* protocol/core uuid: random (version 4) UUIDs in their 36-character form,
 * the one copy: Lambda request ids, event source mapping ids, event ids. */
#ifndef CLOUDLESS_PROTOCOL_UUID_H
#define CLOUDLESS_PROTOCOL_UUID_H

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from OpenSSL's generator. */
void uuid_v4(char out[37]);

#endif
