/*
 * hls-swarm-fanin: starts hls-swarm's FFmpeg clients and reads all of their output pipes, so that
 * hls-swarm reads one stream instead of two pipes per client.
 *
 * Why: in JavaScript every pipe read costs a promise, a buffer hand-off and a wake-up, and FFmpeg
 * writes each log line in two or three write() calls. Reading 800 pipes that way cost more CPU
 * than parsing the lines. Here one epoll loop reads every pipe, splits lines with the same rules
 * as src/lines/decoder.ts, stamps each line with CLOCK_MONOTONIC when it was read, and hands
 * hls-swarm framed lines in large batches.
 *
 * It keeps hls-swarm's promises:
 * - lossy, never blocking: it always reads the pipes (FFmpeg never waits on it); when hls-swarm
 *   falls behind by more than --buffer-mib, lines are dropped and the drops are reported in order,
 *   so the parser sees the gap;
 * - no FFmpeg left behind: each client runs in its own session and process group with a
 *   parent-death SIGKILL; this program has one too, and when its stdin closes (hls-swarm exited)
 *   it SIGKILLs every client's group before it exits.
 *
 * The protocol (its argv, requests and records) is native/protocol.h; src/fanin/records.ts
 * decodes it. A client may ask for its stderr's lines to be selected (filter.h): the lines no
 * parser reads are counted here and never sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "lines.h"
#include "out.h"
#include "request.h"
#include "spawn.h"

#define VERSION "1"
#define READ_SIZE 65536

struct client;

struct stream {
  struct client *owner;
  int fd;
  struct lines lines; /* its token and index, and the line it is in */
};

struct client {
  uint32_t token;
  pid_t pid;
  int exited;
  struct stream *out[2];
  struct client *next;
};

static struct client *clients;
static int epfd;
static double batch_ms = 1;
static double flush_ms = 5; /* the longest a record waits before it is written (--flush-ms) */
/* Batching starts above this many lines a second (about 65 FFmpeg clients at trace level): below
 * it, reading each write at once is cheap and every stamp is as early as it can be. Lines a
 * second measure load whether or not the loop batches, so batching does not switch itself off. */
static const double batch_above = 5000;
static uint64_t lines_then;

static void close_stream(struct client *c, int i) {
  struct stream *s = c->out[i];
  lines_close(&s->lines, mono_ms());
  epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
  close(s->fd);
  free(s);
  c->out[i] = NULL;
}

static void forget_if_done(struct client *c) {
  if (!c->exited || c->out[0] || c->out[1]) return;
  for (struct client **pp = &clients; *pp; pp = &(*pp)->next) {
    if (*pp == c) { *pp = c->next; free(c); return; }
  }
}

static void read_stream(struct client *c, int i) {
  static uint8_t buf[READ_SIZE];
  struct stream *s = c->out[i];
  for (;;) {
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n > 0) {
      lines_split(&s->lines, buf, (size_t)n, mono_ms());
      out_group_end(); /* the next read has its own stamp */
      if (n < (ssize_t)sizeof buf) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_stream(c, i); /* end of file, or a broken pipe */
    forget_if_done(c);
    return;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct client *c = clients; c; c = c->next) {
      if (c->pid != pid || c->exited) continue;
      int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      out_head(FANIN_RECORD_EXITED, c->token);
      out_i32(sig ? 128 + sig : WEXITSTATUS(status));
      out_i32(sig);
      c->exited = 1;
      forget_if_done(c);
      break;
    }
  }
}

/* One spawn failed: the client is told why, the fan-in goes on serving the others. */
static void spawn_failed(uint32_t token, int err, const char *msg) {
  out_head(FANIN_RECORD_SPAWN_FAILED, token);
  out_i32(err);
  out_u16((uint16_t)strlen(msg)); /* callers' messages are under 512 bytes */
  out_bytes(msg, strlen(msg));
}

static void start_client(struct request *req) {
  char msg[512];
  struct spawned sp;
  const char *what;
  int err = spawn_child(req->streams & (FANIN_STREAM_STDERR | FANIN_STREAM_STDOUT), req->argv, &sp,
                        &what);
  if (err) {
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
    spawn_failed(req->token, err, msg);
    return;
  }
  struct client *c = calloc(1, sizeof *c);
  if (!c) die("out of memory");
  c->token = req->token;
  c->pid = sp.pid;
  for (int i = 0; i < 2 && !err; i++) {
    if (sp.fd[i] < 0) continue;
    struct stream *s = calloc(1, sizeof *s);
    if (!s) die("out of memory");
    s->owner = c;
    s->fd = sp.fd[i];
    s->lines.token = c->token;
    s->lines.index = (uint8_t)i;
    s->lines.select = i == FANIN_STDERR && (req->streams & FANIN_FILTER_STDERR);
    c->out[i] = s;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) err = errno;
  }
  if (err) { /* out of epoll watches or memory: this client cannot be read, so it does not run */
    for (int i = 0; i < 2; i++) {
      if (c->out[i]) epoll_ctl(epfd, EPOLL_CTL_DEL, c->out[i]->fd, NULL);
      free(c->out[i]);
    }
    free(c);
    spawn_undo(&sp);
    snprintf(msg, sizeof msg, "epoll_ctl: %s", strerror(err));
    spawn_failed(req->token, err, msg);
    return;
  }
  c->next = clients;
  clients = c;
  out_head(FANIN_RECORD_STARTED, req->token);
  out_i32(sp.pid);
}

/* Requests arrive in pieces; whole ones are handled, the rest waits for more bytes. */
static uint8_t *ibuf;
static size_t ilen, icap;

/* Bytes of a refused, too long request still to be discarded as they come. */
static uint64_t skipping;

static void handle_requests(void) {
  static struct request req;
  char why[256];
  size_t at = 0;
  while (at < ilen) {
    if (skipping) {
      size_t k = ilen - at < skipping ? ilen - at : (size_t)skipping;
      at += k;
      skipping -= k;
      continue;
    }
    if (ilen - at < 4) break;
    uint32_t n;
    memcpy(&n, ibuf + at, 4);
    /* The frame is checked before waiting for its bytes; the type as soon as its byte is in. */
    enum frame frame =
        request_frame(n, ilen - at > 4 ? ibuf[at + 4] : FANIN_REQUEST_SPAWN, why, sizeof why);
    if (frame == FRAME_BROKEN) { /* no way to find the next request: stop, saying why */
      errno = EPROTO;
      die(why);
    }
    if (frame == FRAME_TOO_LONG) {
      if (ilen - at < 9) break; /* its type and token */
      uint32_t token;
      memcpy(&token, ibuf + at + 5, 4);
      spawn_failed(token, E2BIG, why);
      skipping = 4 + (uint64_t)n;
      continue;
    }
    if (ilen - at - 4 < n) break;
    int err = request_decode(ibuf + at + 4, n, &req, why, sizeof why);
    if (err) spawn_failed(req.token, err, why);
    else start_client(&req);
    at += 4 + n;
  }
  memmove(ibuf, ibuf + at, ilen - at);
  ilen -= at;
}

/* Returns 0 at end of file on stdin. */
static int read_requests(void) {
  for (;;) {
    if (icap - ilen < 4096) {
      icap = icap ? icap * 2 : 65536;
      ibuf = realloc(ibuf, icap);
      if (!ibuf) die("out of memory");
    }
    ssize_t n = read(0, ibuf + ilen, icap - ilen);
    if (n > 0) { ilen += (size_t)n; handle_requests(); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 1;
    return 0;
  }
}

static void kill_all(void) {
  for (struct client *c = clients; c; c = c->next)
    if (!c->exited) kill(-c->pid, SIGKILL);
}

static const char USAGE[] = "usage: hls-swarm-fanin [--batch-ms MS] [--flush-ms MS] "
                            "[--buffer-mib MIB] [--keep PREFIX] [--latest PREFIX] "
                            "[--keep-level LEVEL]...\n";

/* Reads argv; returns -1 to exit 0 (--version), 0 to run, or exits 2 on a usage error. */
static int options(int argc, char **argv, double *buffer_mib) {
  static const struct { const char *flag; enum rule kind; } RULES[] = {
      {"--keep", RULE_KEEP}, {"--latest", RULE_LATEST}, {"--keep-level", RULE_LEVEL}};
  char why[256];
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--version")) {
      printf("hls-swarm-fanin %s protocol %d\n", VERSION, FANIN_PROTOCOL);
      return -1;
    }
    int known = 0;
    for (size_t r = 0; r < sizeof RULES / sizeof RULES[0] && i + 1 < argc; r++) {
      if (strcmp(argv[i], RULES[r].flag)) continue;
      if (filter_add(RULES[r].kind, argv[++i], why, sizeof why) < 0) {
        fprintf(stderr, "hls-swarm-fanin: %s\n", why);
        exit(2);
      }
      known = 1;
      break;
    }
    if (known) continue;
    if (i + 1 < argc && !strcmp(argv[i], "--batch-ms")) batch_ms = atof(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--flush-ms")) flush_ms = atof(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--buffer-mib")) *buffer_mib = atof(argv[++i]);
    else { fputs(USAGE, stderr); exit(2); }
  }
  return 0;
}

int main(int argc, char **argv) {
  double buffer_mib = 64;
  if (options(argc, argv, &buffer_mib) < 0) return 0;
  out_init((size_t)(buffer_mib * 1024 * 1024));
  if ((errno = spawn_init())) die("spawn_init");
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return 1;
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (sfd < 0 || epfd < 0) die("signalfd/epoll");
  fcntl(0, F_SETFL, O_NONBLOCK);
  fcntl(1, F_SETFL, O_NONBLOCK);
  /* A larger pipe to hls-swarm: fewer, larger writes (the system's maximum is often 1 MiB). */
  fcntl(1, F_SETPIPE_SZ, 1 << 20);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) < 0) die("epoll_ctl stdin");
  static int sig_tag;
  ev.data.ptr = &sig_tag;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) < 0) die("epoll_ctl signalfd");
  out_head(FANIN_RECORD_HELLO, FANIN_PROTOCOL);
  out_f64(mono_ms());
  out_flush(1, flush_ms);
  struct epoll_event events[256];
  double window_start = mono_ms(), last_busy = -1e9;
  int open_stdin = 1;
  while (open_stdin || clients) {
    int timeout = out_pending() ? (int)flush_ms + 1 : -1;
    int n = epoll_wait(epfd, events, 256, timeout);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      void *tag = events[i].data.ptr;
      if (tag == NULL) {
        if (!read_requests()) {
          open_stdin = 0; /* hls-swarm is gone or done: no client outlives it */
          epoll_ctl(epfd, EPOLL_CTL_DEL, 0, NULL);
          kill_all();
        }
      } else if (tag == &sig_tag) {
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) > 0) {}
        reap();
      } else {
        struct stream *s = tag;
        read_stream(s->owner, s->lines.index);
      }
    }
    out_flush(!open_stdin, flush_ms);
    /* Let the next writes gather: FFmpeg writes a line in pieces, and one read for a whole
     * burst costs a fraction of one read per piece. Lines are stamped when read, so a stamp is
     * at most this late. */
    double now = mono_ms();
    if (now - window_start >= 1000) { /* the line rate over the last second */
      if ((double)(lines_read - lines_then) * 1000 / (now - window_start) > batch_above) last_busy = now;
      lines_then = lines_read;
      window_start = now;
    }
    /* HLS clients read in bursts (a new segment every target duration, all clients at about
     * the same time): batching holds for 10 s after the last busy second, across the lulls. */
    int batching = now - last_busy < 10000;
    if (batching && batch_ms > 0 && n > 0) {
      struct timespec ts = {(time_t)(batch_ms / 1e3), (long)(batch_ms * 1e6) % 1000000000L};
      nanosleep(&ts, NULL);
    }
  }
  out_flush(1, flush_ms);
  return 0;
}
