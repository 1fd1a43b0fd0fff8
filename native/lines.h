/*
 * One client stream's bytes split into lines, with the rules of src/lines/decoder.ts (and the
 * golden vectors of testdata/lines/ that both pass): LF, CRLF and a lone CR end a line (a CRLF
 * cut between two reads too), empty lines are skipped, a line over FANIN_MAX_LINE bytes is cut
 * there and counted. A stream whose client asked for it has its lines selected (filter.h): the
 * ones no parser reads are counted, not sent. Lines go out as 'G' records (protocol.h); when
 * hls-swarm is too far behind they are dropped, counted, and the count goes out ('D') before the
 * stream's next line, so the gap is seen where it was.
 */
#ifndef HLS_SWARM_FANIN_LINES_H
#define HLS_SWARM_FANIN_LINES_H
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

/* The longest "latest" line held back (filter.h); a longer one is passed at once. */
#define MAX_HELD 1024

struct lines {
  uint32_t token;
  uint8_t index; /* 0 stderr, 1 stdout */
  uint8_t skip_lf, overlong;
  uint8_t select; /* select lines (filter.h) */
  uint32_t truncated, dropped;
  uint32_t filtered; /* filtered out, not yet reported */
  uint32_t held_len; /* a "latest" line held back: held[0, held_len), read at held_at */
  double held_at;
  uint8_t *held;
  uint32_t len;
  uint8_t line[FANIN_MAX_LINE]; /* the line not ended yet: line[0, len) */
};

/* Lines ended so far, on every stream (the loop's measure of load), filtered ones included. */
extern uint64_t lines_read;

/* Splits the bytes of one read, stamped `at`; the lines of one read go out as one group. */
void lines_split(struct lines *s, const uint8_t *p, size_t n, double at);
/* The stream's end: its held and last lines, its drops, and its 'C' record. */
void lines_close(struct lines *s, double at);
#endif
