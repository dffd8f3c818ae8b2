/* protocol/core dates: the date shapes AWS writes and reads, the one copy.
 *
 *  - HTTP dates (RFC 1123: "Wed, 12 Oct 2009 17:50:00 GMT"): Date,
 *    Last-Modified; parsed also in RFC 850 and asctime form, as HTTP
 *    allows in conditional headers, and — zoned — with a one-digit day and
 *    a UTC, Z or +hhmm zone, as SigV2 clients send.
 *  - ISO 8601 with milliseconds ("2009-10-12T17:50:30.000Z") in XML and
 *    JSON bodies, and Lambda's "+0000" variant.
 *  - SigV4's x-amz-date ("20091012T175030Z").
 *
 * Times are milliseconds since the Unix epoch unless the name says
 * seconds; parsers return -1 for anything invalid (30 February included). */
#ifndef CLOUDLESS_PROTOCOL_DATES_H
#define CLOUDLESS_PROTOCOL_DATES_H

#include <stdint.h>

/* "Wed, 12 Oct 2009 17:50:00 GMT" */
void date_http(int64_t ms, char out[40]);
/* "2009-10-12T17:50:30.000Z" */
void date_iso8601(int64_t ms, char out[32]);
/* "2009-10-12T17:50:30.000+0000" (Lambda's LastModified) */
void date_iso8601_offset(int64_t ms, char out[40]);
/* RFC 1123 / RFC 850 / asctime -> ms. */
int64_t date_parse_http(const char *s);
/* The same, RFC 1123 also with "7 Mar" and a UTC, Z or +hhmm zone. */
int64_t date_parse_http_zoned(const char *s);
/* "2030-01-01T00:00:00[.fff]Z" (or "+00:00") -> ms. */
int64_t date_parse_iso8601(const char *s);
/* "YYYYMMDDTHHMMSSZ" -> seconds. */
int64_t date_parse_amz(const char *s);

#endif
