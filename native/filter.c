/* The line selection: see filter.h. */
#include "filter.h"

#include <stdio.h>
#include <string.h>

/* Bounds that no declaration comes near (it has about ten rules of under 40 bytes). */
#define MAX_RULES 64
#define MAX_RULE_BYTES 128

struct text {
  size_t n;
  char s[MAX_RULE_BYTES + 3]; /* a level is kept as "[level]" */
};

static struct text rules[3][MAX_RULES];
static int counts[3];

int filter_add(enum rule kind, const char *text, char *why, size_t why_size) {
  size_t n = strlen(text);
  if (n == 0 || n > MAX_RULE_BYTES || counts[kind] == MAX_RULES) {
    snprintf(why, why_size, "a selection rule must be 1 to %d bytes, at most %d of a kind: '%s'",
             MAX_RULE_BYTES, MAX_RULES, text);
    return -1;
  }
  struct text *t = &rules[kind][counts[kind]++];
  t->n = kind == RULE_LEVEL ? (size_t)snprintf(t->s, sizeof t->s, "[%s]", text)
                            : (size_t)snprintf(t->s, sizeof t->s, "%s", text);
  return 0;
}

static int starts(const uint8_t *p, size_t n, const struct text *t) {
  return n >= t->n && memcmp(p, t->s, t->n) == 0;
}

static int any(enum rule kind, const uint8_t *p, size_t n) {
  for (int i = 0; i < counts[kind]; i++)
    if (starts(p, n, &rules[kind][i])) return 1;
  return 0;
}

/* `YYYY-MM-DD HH:MM:SS.mmm `: the separators only, as src/parser/line_time.ts checks them. */
#define DATETIME_BYTES 24
static int has_datetime(const uint8_t *p, size_t n) {
  return n > DATETIME_BYTES && p[23] == ' ' && p[4] == '-' && p[7] == '-' && p[10] == ' ' &&
         p[13] == ':' && p[16] == ':' && p[19] == '.';
}

/* Where a context line's level tag is: after `[ctx @ 0x…] ` (a context name is short). */
#define CONTEXT_SEARCH 96
static const uint8_t *after_context(const uint8_t *p, size_t n) {
  if (n == 0 || p[0] != '[') return NULL;
  size_t limit = n < CONTEXT_SEARCH ? n : CONTEXT_SEARCH;
  for (size_t i = 1; i + 1 < limit; i++)
    if (p[i] == ']' && p[i + 1] == ' ') return p + i + 2;
  return NULL;
}

enum verdict filter_line(const uint8_t *p, size_t n) {
  if (has_datetime(p, n)) {
    p += DATETIME_BYTES;
    n -= DATETIME_BYTES;
  }
  if (any(RULE_KEEP, p, n) || any(RULE_LEVEL, p, n)) return LINE_KEEP;
  if (counts[RULE_LEVEL]) {
    const uint8_t *tag = after_context(p, n);
    if (tag && any(RULE_LEVEL, tag, n - (size_t)(tag - p))) return LINE_KEEP;
  }
  return any(RULE_LATEST, p, n) ? LINE_LATEST : LINE_FILTERED;
}
