/* glob: whole-string wildcard matching as AWS's pattern fields use it —
 * IAM policy actions, resources and StringLike conditions ('*' and '?'),
 * CloudWatch Logs filter values ('*' only). */
#ifndef CLOUDLESS_PROTOCOL_GLOB_H
#define CLOUDLESS_PROTOCOL_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* '*' matches any run of characters; with `question`, '?' matches any one
 * (else it is an ordinary character); case-insensitive when `nocase`. */
bool glob_match(const char *pattern, const char *s, bool question, bool nocase);
/* The same against the len bytes at s, which may hold NULs. */
bool glob_match_n(const char *pattern, const char *s, size_t len, bool question, bool nocase);

#endif
