/* One stream's lines: see lines.h. */
#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "out.h"

uint64_t lines_read;

static void put_drops(struct lines *s) {
  if (!s->dropped) return;
  out_head(FANIN_RECORD_DROPPED, s->token);
  out_u8(s->index);
  out_u32(s->dropped);
  s->dropped = 0;
}

static void send_line(struct lines *s, const uint8_t *p, size_t n, double at) {
  if (!out_room(n)) { /* hls-swarm is this far behind: drop, count, report before the next */
    s->dropped++;
    return;
  }
  if (s->dropped) {
    out_group_end();
    put_drops(s);
  }
  out_line(s, s->token, s->index, at, &s->filtered, p, n);
}

/* The held "latest" line goes out in a group of its own: it has its own stamp. */
static void send_held(struct lines *s) {
  if (!s->held_len) return;
  out_group_end();
  send_line(s, s->held, s->held_len, s->held_at);
  out_group_end();
  s->held_len = 0;
}

static void emit_line(struct lines *s, const uint8_t *p, size_t n, double at) {
  if (n == 0) return;
  lines_read++;
  if (s->select) {
    enum verdict v = filter_line(p, n);
    if (v == LINE_FILTERED) {
      s->filtered++;
      return;
    }
    if (v == LINE_LATEST && n <= MAX_HELD && (s->held || (s->held = malloc(MAX_HELD)))) {
      if (s->held_len) s->filtered++; /* replaced: only the last of a run matters */
      memcpy(s->held, p, n);
      s->held_len = (uint32_t)n;
      s->held_at = at;
      return;
    }
    send_held(s);
  }
  send_line(s, p, n, at);
}

/* Ends the line made of the pending bytes and p[0, n). */
static void end_line(struct lines *s, const uint8_t *p, size_t n, double at) {
  if (s->len == 0 && !s->overlong) {
    if (n > FANIN_MAX_LINE) { s->truncated++; n = FANIN_MAX_LINE; }
    emit_line(s, p, n, at);
    return;
  }
  if (!s->overlong && n > 0) {
    size_t room = FANIN_MAX_LINE - s->len, k = n < room ? n : room;
    if (n > room) s->overlong = 1;
    memcpy(s->line + s->len, p, k);
    s->len += k;
  }
  if (s->overlong) s->truncated++;
  emit_line(s, s->line, s->len, at);
  s->len = 0;
  s->overlong = 0;
}

void lines_split(struct lines *s, const uint8_t *p, size_t n, double at) {
  size_t start = 0;
  if (s->skip_lf && n > 0 && p[0] == '\n') start = 1;
  if (n > 0) s->skip_lf = 0;
  for (size_t i = start; i < n; i++) {
    if (p[i] != '\n' && p[i] != '\r') continue;
    end_line(s, p + start, i - start, at);
    if (p[i] == '\r') {
      if (i + 1 == n) s->skip_lf = 1;
      else if (p[i + 1] == '\n') i++;
    }
    start = i + 1;
  }
  if (start < n && !s->overlong) {
    size_t room = FANIN_MAX_LINE - s->len, k = n - start < room ? n - start : room;
    if (n - start > room) s->overlong = 1;
    memcpy(s->line + s->len, p + start, k);
    s->len += k;
  }
  /* A held line waits for no later read: the viewer's figures are sampled once a second from
   * what has arrived, and a demuxer line held until FFmpeg's next request (a second or two
   * later) put the live latency a segment off. A run of them within one read is still one. */
  send_held(s);
}

void lines_close(struct lines *s, double at) {
  end_line(s, NULL, 0, at); /* a last line without a newline */
  send_held(s);
  out_group_end();
  put_drops(s);
  out_head(FANIN_RECORD_CLOSED, s->token);
  out_u8(s->index);
  out_u32(s->truncated);
  out_u32(s->filtered);
  s->filtered = 0;
  free(s->held);
  s->held = NULL;
}
