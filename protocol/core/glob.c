/* glob: whole-string wildcard matching, with backtracking to the last '*'
 * only (linear in practice, never exponential). See glob.h. */
#include "protocol/core/glob.h"

#include <ctype.h>
#include <stddef.h>

bool glob_match(const char *pattern, const char *s, bool question, bool nocase)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
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
