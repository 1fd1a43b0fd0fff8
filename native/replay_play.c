/* hls-replay's script playback: see hls-replay.c for the script format and the environment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

static int level_of(char c) {
  switch (c) {
    case 'p': return 0;
    case 'f': return 8;
    case 'e': return 16;
    case 'w': return 24;
    case 'i': return 32;
    case 'v': return 40;
    case 'd': return 48;
    case 't': return 56;
    default: return 32;
  }
}

/* ---------------------------------------------------------------- script playback */

struct player {
  const char *base, *end;
  const char *loop_at, *tail_at, *body_end; /* body_end: where !tail (or EOF) starts */
  int64_t timer_start_us, period_us, cycle_us;
  int exit_code;
  double speed;
  int64_t start_ns, offset_ns, granularity_ns;
  int64_t k;              /* loop iteration */
  int64_t reg[2];         /* F = frame, O = out_time_us: last values written by templates */
  int64_t rec_t_us;       /* script time of the current record (for fps/speed) */
  struct opts o;
  int msg_pass;           /* does the current stderr message pass the filters? */
};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fmt_time(char *out, size_t n, int64_t us, int digits) {
  const char *sign = us < 0 ? "-" : "";
  if (us < 0) us = -us;
  int64_t secs = us / 1000000, frac = us % 1000000;
  int64_t h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
  if (digits == 2)
    snprintf(out, n, "%s%02lld:%02lld:%02lld.%02lld", sign, (long long)h, (long long)m,
             (long long)s, (long long)(frac / 10000));
  else
    snprintf(out, n, "%s%02lld:%02lld:%02lld.%06lld", sign, (long long)h, (long long)m,
             (long long)s, (long long)frac);
}

/* Seconds since FFmpeg's transcode timer started, in script time, for this record. */
static double elapsed_s(const struct player *pl) {
  return (double)(pl->rec_t_us - pl->timer_start_us) / 1e6;
}

static int reg_index(const char *s) { return *s == 'O' ? 1 : 0; }

/*
 * Templates, \{name,args}; k is the loop pass:
 *   i,BASE,STEP,W[,R]  integer BASE+k*STEP, printf width W ("5", "05" or ""), stored in reg R
 *   t,BASE,STEP,D[,R]  HH:MM:SS.xx (D=2) or .xxxxxx (D=6) of BASE+k*STEP microseconds
 *   r,R,DELTA,W        reg R += DELTA, printed like i
 *   rt,R,DELTA,D       reg R += DELTA, printed like t
 *   fps,s|p            reg F / elapsed: "%3.*f" (status line) or "%.2f" (progress)
 *   speed              reg O / elapsed as "%4.3gx", or N/A before the timer runs
 *   el                 elapsed as H:MM:SS.cc (FFmpeg 7.1+ status lines)
 *   sig                the signal that stopped us
 */
static size_t expand_template(struct player *pl, const char *spec, size_t len, char *out,
                              size_t cap) {
  char buf[256];
  if (len >= sizeof buf) return 0;
  memcpy(buf, spec, len);
  buf[len] = 0;
  char *f[6] = {0};
  int nf = 0;
  for (char *p = buf; nf < 6;) {
    f[nf++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = 0;
    p = c + 1;
  }
  char tmp[64];
  tmp[0] = 0;
  const char *name = f[0];
  if ((!strcmp(name, "i") || !strcmp(name, "r")) && nf >= 4) {
    int64_t v;
    int r = -1;
    if (name[0] == 'i') {
      v = strtoll(f[1], 0, 10) + pl->k * strtoll(f[2], 0, 10);
      if (nf >= 5) r = reg_index(f[4]);
    } else {
      r = reg_index(f[1]);
      v = pl->reg[r] + strtoll(f[2], 0, 10);
    }
    if (r >= 0) pl->reg[r] = v;
    const char *w = f[3];
    int zero = w[0] == '0' && w[1];
    int width = atoi(w);
    if (zero)
      snprintf(tmp, sizeof tmp, "%0*lld", width, (long long)v);
    else
      snprintf(tmp, sizeof tmp, "%*lld", width, (long long)v);
  } else if ((!strcmp(name, "t") || !strcmp(name, "rt")) && nf >= 4) {
    int64_t v;
    if (name[0] == 't') {
      v = strtoll(f[1], 0, 10) + pl->k * strtoll(f[2], 0, 10);
      if (nf >= 5) pl->reg[reg_index(f[4])] = v;
    } else {
      int r = reg_index(f[1]);
      v = pl->reg[r] + strtoll(f[2], 0, 10);
      pl->reg[r] = v;
    }
    fmt_time(tmp, sizeof tmp, v, atoi(f[3]));
  } else if (!strcmp(name, "fps")) {
    double t = elapsed_s(pl);
    double fps = t > 1 ? (double)pl->reg[0] / t : 0;
    if (nf >= 2 && f[1][0] == 'p')
      snprintf(tmp, sizeof tmp, "%.2f", fps);
    else
      snprintf(tmp, sizeof tmp, "%3.*f", fps < 9.95, fps);
  } else if (!strcmp(name, "speed")) {
    double t = elapsed_s(pl);
    if (t > 0)
      snprintf(tmp, sizeof tmp, "%4.3gx", (double)pl->reg[1] / 1e6 / t);
    else
      snprintf(tmp, sizeof tmp, "N/A");
  } else if (!strcmp(name, "el")) {
    int64_t us = pl->rec_t_us - pl->timer_start_us;
    if (us < 0) us = 0;
    int64_t s = us / 1000000;
    snprintf(tmp, sizeof tmp, "%lld:%02lld:%02lld.%02lld", (long long)(s / 3600),
             (long long)(s / 60 % 60), (long long)(s % 60), (long long)(us % 1000000 / 10000));
  } else if (!strcmp(name, "sig")) {
    snprintf(tmp, sizeof tmp, "%d", (int)g_signal);
  }
  size_t n = strlen(tmp);
  if (n > cap) n = cap;
  memcpy(out, tmp, n);
  return n;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes one record's text (p..e, escaped) into out; returns its length. */
static size_t decode(struct player *pl, const char *p, const char *e, char *out, size_t cap) {
  size_t n = 0;
  while (p < e && n < cap) {
    char c = *p++;
    if (c != '\\' || p >= e) {
      out[n++] = c;
      continue;
    }
    c = *p++;
    switch (c) {
      case 'n': out[n++] = '\n'; break;
      case 'r': out[n++] = '\r'; break;
      case 't': out[n++] = '\t'; break;
      case 'x':
        if (e - p >= 2 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
          out[n++] = (char)(hexval(p[0]) * 16 + hexval(p[1]));
          p += 2;
        }
        break;
      case '{': {
        const char *close = memchr(p, '}', (size_t)(e - p));
        if (!close) break;
        n += expand_template(pl, p, (size_t)(close - p), out + n, cap - n);
        p = close + 1;
        break;
      }
      default: out[n++] = c; break;
    }
  }
  return n;
}

static const char *line_end(const struct player *pl, const char *p) {
  const char *nl = memchr(p, '\n', (size_t)(pl->end - p));
  return nl ? nl : pl->end;
}

static void write_datetime(const struct player *pl) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  localtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = pl->o.datetime == 2 ? strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)
                                 : strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%03ld ", ts.tv_nsec / 1000000);
  write_str(2, buf);
}

/*
 * Sleeps until script time t_us of loop pass k; returns early on a signal. A record due less
 * than the granularity after the last wake-up is written without sleeping again: a burst of a
 * hundred messages 50 µs apart costs a few sleeps instead of a hundred, and still spreads over
 * its few milliseconds.
 */
static void wait_until(struct player *pl, int64_t t_us) {
  static int64_t known_now = 0;
  int64_t due = pl->start_ns + pl->offset_ns +
                (int64_t)((double)(t_us + pl->k * pl->period_us) * 1000.0 / pl->speed);
  if (due <= known_now + pl->granularity_ns) return;
  for (;;) {
    if (g_signal) return;
    struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    if (rc == 0) break;
    if (rc != EINTR) break;
  }
  known_now = due;
}

/*
 * Plays records from p up to stop. In the tail (immediate) nothing waits. Returns where it
 * stopped: stop, or the record at which a signal was noticed.
 */
static const char *play(struct player *pl, const char *p, const char *stop, int immediate) {
  static char out[1 << 16];
  static int64_t last_t = 0;
  while (p < stop) {
    const char *e = line_end(pl, p);
    if (*p == '#' || *p == '!' || p == e) {
      p = e + 1;
      continue;
    }
    /* time */
    const char *q = p;
    if (*q != '\t') {
      last_t = strtoll(q, (char **)&q, 10);
    }
    if (q >= e || *q != '\t') { p = e + 1; continue; }
    q++;
    /* kind */
    int fd = *q - '0';
    const char *kind_end = memchr(q, '\t', (size_t)(e - q));
    if (!kind_end) { p = e + 1; continue; }
    char lvl = 0;
    int is_level_tag = 0, is_status = 0;
    for (const char *c = q + 1; c < kind_end; c++) {
      if (*c == 'l') is_level_tag = 1;
      else if (*c == 's') is_status = 1;
      else lvl = *c;
    }
    if (!immediate) {
      /* A signal is acted on between messages only: FFmpeg's handler just sets a flag, and
       * the message being logged (or the progress block after a status line) completes. */
      int boundary = fd == 2 && lvl;
      if (g_signal && boundary) return p;
      wait_until(pl, last_t);
      if (g_signal && boundary) return p;
    }
    pl->rec_t_us = immediate ? pl->rec_t_us : last_t + pl->k * pl->period_us;
    size_t n = decode(pl, kind_end + 1, e, out, sizeof out);
    if (fd == 2) {
      if (lvl) { /* first write of a message: decide for the whole message */
        pl->msg_pass = level_of(lvl) <= pl->o.level && !(is_status && !pl->o.stats);
        if (pl->msg_pass && pl->o.datetime) write_datetime(pl);
      }
      if (pl->msg_pass && !(is_level_tag && !pl->o.print_level)) write_all(2, out, n);
    } else if (fd == 1) {
      if (pl->o.progress_fd > 0) write_all(pl->o.progress_fd, out, n);
    }
    p = e + 1;
  }
  return p;
}

static void finish(struct player *pl, int code) {
  if (pl->tail_at) {
    /* Script time "now", for fps/speed in the final status. */
    double t = (double)(now_ns() - pl->start_ns - pl->offset_ns) * pl->speed / 1000.0;
    pl->rec_t_us = (int64_t)t;
    play(pl, pl->tail_at, pl->end, 1);
  }
  _exit(code);
}

static const char *find_directive(const char *base, const char *end, const char *name) {
  size_t n = strlen(name);
  for (const char *p = base; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    if ((size_t)(e - p) >= n && !memcmp(p, name, n) && (e - p == (long)n || p[n] == ' '))
      return p;
    p = e + 1;
  }
  return NULL;
}

static int64_t directive_int(const char *base, const char *end, const char *name, int64_t dflt) {
  const char *p = find_directive(base, end, name);
  return p ? strtoll(p + strlen(name), NULL, 10) : dflt;
}

int run_script(const struct opts *o) {
  const char *path = getenv("HLS_REPLAY_SCRIPT");
  if (!path || !*path) {
    write_str(2, "hls-replay: HLS_REPLAY_SCRIPT is not set (path of a script from make_script.ts)\n");
    return 1;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
    char buf[600];
    snprintf(buf, sizeof buf, "hls-replay: cannot read script %s: %s\n", path, strerror(errno));
    write_str(2, buf);
    return 1;
  }
  const char *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED) {
    write_str(2, "hls-replay: mmap failed\n");
    return 1;
  }

  static struct player pl;
  pl.base = base;
  pl.end = base + st.st_size;
  pl.o = *o;
  pl.timer_start_us = directive_int(base, pl.end, "!timer_start_us", 0);
  pl.period_us = directive_int(base, pl.end, "!period_us", 0);
  pl.cycle_us = directive_int(base, pl.end, "!cycle_us", 2000000);
  pl.exit_code = (int)directive_int(base, pl.end, "!exit", 0);
  const char *loop = find_directive(base, pl.end, "!loop");
  const char *tail = find_directive(base, pl.end, "!tail");
  pl.loop_at = loop ? line_end(&pl, loop) + 1 : NULL;
  pl.tail_at = tail ? line_end(&pl, tail) + 1 : NULL;
  pl.body_end = tail ? tail : pl.end;
  if (pl.loop_at && pl.period_us <= 0) {
    write_str(2, "hls-replay: script has !loop but no positive !period_us\n");
    return 1;
  }

  const char *s = getenv("HLS_REPLAY_SPEED");
  pl.speed = s && *s ? strtod(s, NULL) : 1.0;
  if (!(pl.speed > 0)) pl.speed = 1.0;
  s = getenv("HLS_REPLAY_OFFSET_MS");
  if (s && !strcmp(s, "random")) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_nsec;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    int64_t range_us = pl.cycle_us > 0 ? pl.cycle_us : 2000000;
    pl.offset_ns = (int64_t)(x % (uint64_t)range_us) * 1000;
  } else if (s && *s) {
    pl.offset_ns = (int64_t)(strtod(s, NULL) * 1e6);
    if (pl.offset_ns < 0) pl.offset_ns = 0;
  }

  s = getenv("HLS_REPLAY_GRANULARITY_US");
  pl.granularity_ns = (s && *s ? strtoll(s, NULL, 10) : 1000) * 1000;
  if (pl.granularity_ns < 0) pl.granularity_ns = 0;

  pl.start_ns = now_ns();
  /* The intro (start-up and first cycles) once, then the body forever, pass k shifted by k*period. */
  play(&pl, base, pl.loop_at ? pl.loop_at : pl.body_end, 0);
  if (g_signal) finish(&pl, 255);
  if (!pl.loop_at) finish(&pl, pl.exit_code); /* a capture that ended by itself */
  for (;; pl.k++) {
    play(&pl, pl.loop_at, pl.body_end, 0);
    if (g_signal) finish(&pl, 255);
  }
}
