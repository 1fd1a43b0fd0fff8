/* The record stream to hls-swarm: see out.h. */
#define _GNU_SOURCE
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Bytes [start, len) of buf wait for hls-swarm to read them. */
static uint8_t *buf;
static size_t start, len, cap, limit;
static double last_flush;

double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void die(const char *what) {
  fprintf(stderr, "hls-swarm-fanin: %s: %s\n", what, strerror(errno));
  exit(2);
}

void out_init(size_t bytes) { limit = bytes; }
size_t out_pending(void) { return len - start; }
int out_room(size_t n) { return len - start + n + 32 <= limit; }

void out_bytes(const void *p, size_t n) {
  if (len + n > cap) {
    /* Full: grow until the waiting bytes fill at most half, then move them to the front. Each
     * move frees at least half the buffer, so a byte is moved a bounded number of times. */
    size_t pending = len - start;
    if (2 * (pending + n) > cap) {
      size_t grown_cap = cap ? cap : 1 << 16;
      while (grown_cap < 2 * (pending + n)) grown_cap *= 2;
      uint8_t *grown = realloc(buf, grown_cap);
      if (!grown) die("out of memory");
      buf = grown;
      cap = grown_cap;
    }
    memmove(buf, buf + start, pending);
    len = pending;
    start = 0;
  }
  memcpy(buf + len, p, n);
  len += n;
}
void out_u8(uint8_t v) { out_bytes(&v, 1); }
void out_u16(uint16_t v) { out_bytes(&v, 2); }
void out_u32(uint32_t v) { out_bytes(&v, 4); }
void out_i32(int32_t v) { out_bytes(&v, 4); }
void out_f64(double v) { out_bytes(&v, 8); }
void out_head(char type, uint32_t token) {
  out_u8((uint8_t)type);
  out_u32(token);
}

/* The lines of one read go out as one group: hls-swarm decodes a group's text at once and
 * splits it, instead of paying a decode call per line. The open group, if any: whose lines it
 * holds and where its length field is (counted from start, which compaction moves). */
static const void *group_key;
static size_t group_length_at;

void out_group_end(void) {
  if (!group_key) return;
  uint32_t n = (uint32_t)(len - start - group_length_at - 4);
  memcpy(buf + start + group_length_at, &n, 4);
  group_key = NULL;
}

void out_line(const void *key, uint32_t token, uint8_t stream, double at, uint32_t *filtered,
              const uint8_t *p, size_t n) {
  if (group_key == key) {
    out_u8('\n');
  } else {
    out_group_end();
    out_head(FANIN_RECORD_LINES, token);
    out_u8(stream);
    out_f64(at);
    out_u32(*filtered);
    *filtered = 0;
    group_length_at = len - start;
    out_u32(0);
    group_key = key;
  }
  out_bytes(p, n);
}

void out_flush(int force, double every_ms) {
  double now = mono_ms();
  if (len == start || (!force && len - start < (1 << 16) && now - last_flush < every_ms)) return;
  size_t done = start;
  while (done < len) {
    ssize_t n = write(1, buf + done, len - done);
    if (n > 0) {
      done += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && !force) break;
    if (n < 0 && errno == EAGAIN) { /* at the end: wait for hls-swarm to read */
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
      continue;
    }
    exit(0); /* hls-swarm closed its end: nobody is left to report to */
  }
  start = done;
  if (start == len) start = len = 0;
  last_flush = now;
}
