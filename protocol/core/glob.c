/* glob: whole-string wildcard matching, with backtracking to the last '*'
 * only (linear in practice, never exponential). See glob.h. */
#include "protocol/core/glob.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

bool glob_match(const char *pattern, const char *s, bool question, bool nocase)
{
    return glob_match_n(pattern, s, strlen(s), question, nocase);
}

bool glob_match_n(const char *pattern, const char *s, size_t len, bool question, bool nocase)
{
    const char *star = NULL, *resume = NULL, *end = s + len;
    while (s < end) {
        char p = *pattern, c = *s;
        if (nocase) {
            p = (char)tolower((unsigned char)p);
            c = (char)tolower((unsigned char)c);
        }
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern && ((question && *pattern == '?') || p == c)) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}
