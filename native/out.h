/*
 * The record stream hls-swarm-fanin writes to hls-swarm (its stdout): a buffer that never
 * blocks the fan-in, filled with records and flushed in large writes. See protocol.h for the
 * records.
 */
#ifndef HLS_SWARM_FANIN_OUT_H
#define HLS_SWARM_FANIN_OUT_H
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

/* Monotonic milliseconds (CLOCK_MONOTONIC), the stamps' clock. */
double mono_ms(void);
/* Prints what failed, with errno, and exits 2. */
void die(const char *what);

/* Lines are dropped (by the caller) once this many bytes wait for hls-swarm. */
void out_init(size_t limit);
/* Bytes waiting for hls-swarm. */
size_t out_pending(void);
/* Whether a line of n bytes still fits under the limit. */
int out_room(size_t n);

/* A record's head, then its fields. Control records always fit (the buffer grows). */
void out_head(char type, uint32_t token);
void out_u8(uint8_t v);
void out_u16(uint16_t v);
void out_u32(uint32_t v);
void out_i32(int32_t v);
void out_f64(double v);
void out_bytes(const void *p, size_t n);

/* Appends a line to the group of `key` (one stream's one read), opening a 'G' record when the
 * open group is another's, with the stream's *filtered count (then reset); out_group_end
 * closes it. */
void out_line(const void *key, uint32_t token, uint8_t stream, double at, uint32_t *filtered,
              const uint8_t *p, size_t n);
void out_group_end(void);

/* Writes what it can without blocking, when at least 64 KiB wait or `every_ms` have passed
 * since the last write; `force` writes everything, waiting for hls-swarm to read. Exits when
 * hls-swarm has closed its end. */
void out_flush(int force, double every_ms);
#endif
