/*
 * One client stream's bytes split into lines, with the rules of src/lines/decoder.ts: LF, CRLF
 * and a lone CR end a line (a CRLF cut between two reads too), empty lines are skipped, a line
 * over MAX_LINE bytes is cut there and counted. Lines go out as 'G' records (out.h); when
 * hls-swarm is too far behind they are dropped, counted, and the count goes out ('D') before the
 * stream's next line, so the gap is seen where it was.
 */
#ifndef HLS_SWARM_FANIN_LINES_H
#define HLS_SWARM_FANIN_LINES_H
#include <stddef.h>
#include <stdint.h>

#define MAX_LINE 8192

struct lines {
  uint32_t token;
  uint8_t index; /* 0 stderr, 1 stdout */
  uint8_t skip_lf, overlong;
  uint32_t truncated, dropped;
  uint32_t len;
  uint8_t line[MAX_LINE]; /* the line not ended yet: line[0, len) */
};

/* Lines ended so far, on every stream (the loop's measure of load). */
extern uint64_t lines_read;

/* Splits the bytes of one read, stamped `at`; the lines of one read go out as one group. */
void lines_split(struct lines *s, const uint8_t *p, size_t n, double at);
/* The stream's end: its last line without a newline, its drops, and its 'C' record. */
void lines_close(struct lines *s, double at);
#endif
