/*
 * hls-replay: a stand-in for an FFmpeg 5.1 HLS viewer, for benchmarking hls-swarm with more
 * clients than real FFmpeg processes allow on one machine.
 *
 * It answers hls-swarm's capability probes (-version, -loglevel datetime+quiet, -h demuxer=hls,
 * -h protocol=http, -protocols) like FFmpeg 5.1, and otherwise plays back a timed script
 * (HLS_REPLAY_SCRIPT, built by make_script.ts from a captured FFmpeg trace): every record is one
 * write() to fd 2 (stderr) or fd 1 (the -progress stream) at its time offset, so the pipe sees
 * FFmpeg's own write pattern. The steady-state part loops until SIGTERM/SIGINT; then the
 * script's tail (final status, statistics, "Exiting normally") is written and it exits 255.
 *
 * Script format (text, one record per line, see README.md):
 *   # comment
 *   !timer_start_us N   script time at which FFmpeg's transcode timer started (fps/speed base)
 *   !period_us N        length of one loop iteration
 *   !cycle_us N         one reload cycle (range of HLS_REPLAY_OFFSET_MS=random)
 *   !exit N             exit code when a script without !loop ends by itself
 *   !loop               the records after this repeat, each pass k shifted by k*period_us
 *   !tail               written at once on SIGTERM/SIGINT (or at the end of a script without
 *                       !loop), then exit
 *   <t_us>\t<kind>\t<text>   t_us empty = same time as the previous record
 *     kind: fd digit (1 or 2), then for stderr: a level letter (t d v i w e f p) on the first
 *     write of a message, 'l' on the [level] tag write, 's' on a periodic status line.
 *     text escapes: \\ \n \r \t \xHH, and templates \{...} (see expand_template).
 *
 * Env: HLS_REPLAY_SCRIPT (required to play), HLS_REPLAY_SPEED (time scale, default 1),
 * HLS_REPLAY_OFFSET_MS (N or "random": delay before the first write), HLS_REPLAY_DATETIME=1
 * (accept the datetime/time log flags, as FFmpeg 7.1+ does, and stamp every message),
 * HLS_REPLAY_SEG_MAX_RETRY=1 (list -seg_max_retry in the hls demuxer help),
 * HLS_REPLAY_GRANULARITY_US (default 1000: records due within this long after the last
 * wake-up are written without another sleep).
 */
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

/* ---------------------------------------------------------------- probe answers (FFmpeg 5.1) */

static const char VERSION_TEXT[] =
    "ffmpeg version 5.1-replay Copyright (c) 2000-2026 the FFmpeg developers\n"
    "built with hls-replay (plays back a captured FFmpeg 5.1 trace; not a real FFmpeg)\n"
    "configuration: --hls-replay\n"
    "libavutil      57. 28.100 / 57. 28.100\n"
    "libavcodec     59. 37.100 / 59. 37.100\n"
    "libavformat    59. 27.100 / 59. 27.100\n"
    "libavdevice    59.  7.100 / 59.  7.100\n"
    "libavfilter     8. 44.100 /  8. 44.100\n"
    "libswscale      6.  7.100 /  6.  7.100\n"
    "libswresample   4.  7.100 /  4.  7.100\n"
    "libpostproc    56.  6.100 / 56.  6.100\n";

static const char HLS_HELP_HEAD[] =
    "Demuxer hls [Apple HTTP Live Streaming]:\n"
    "hls demuxer AVOptions:\n"
    "  -live_start_index  <int>        .D......... segment index to start live streams at (negative values are from the end) (from INT_MIN to INT_MAX) (default -3)\n"
    "  -prefer_x_start    <boolean>    .D......... prefer to use #EXT-X-START if it's in playlist instead of live_start_index (default false)\n"
    "  -allowed_extensions <string>     .D......... List of file extensions that hls is allowed to access (default \"3gp,aac,avi,ac3,eac3,flac,mkv,m3u8,m4a,m4s,m4v,mpg,mov,mp2,mp3,mp4,mpeg,mpegts,ogg,ogv,oga,ts,vob,vtt,wav,webvtt,cmfv,cmfa,ec3,fmp4\")\n"
    "  -allowed_segment_extensions <string>     .D......... List of file extensions that hls is allowed to access (default \"3gp,aac,avi,ac3,eac3,flac,mkv,m3u8,m4a,m4s,m4v,mpg,mov,mp2,mp3,mp4,mpeg,mpegts,ogg,ogv,oga,ts,vob,vtt,wav,webvtt,cmfv,cmfa,ec3,fmp4,html\")\n"
    "  -extension_picky   <boolean>    .D......... Be picky with all extensions matching (default true)\n"
    "  -max_reload        <int>        .D......... Maximum number of times a insufficient list is attempted to be reloaded (from 0 to INT_MAX) (default 100)\n"
    "  -m3u8_hold_counters <int>        .D......... The maximum number of times to load m3u8 when it refreshes without new segments (from 0 to INT_MAX) (default 1000)\n"
    "  -http_persistent   <boolean>    .D......... Use persistent HTTP connections (default true)\n"
    "  -http_multiple     <boolean>    .D......... Use multiple HTTP connections for fetching segments (default auto)\n"
    "  -http_seekable     <boolean>    .D......... Use HTTP partial requests, 0 = disable, 1 = enable, -1 = auto (default auto)\n"
    "  -seg_format_options <dictionary> .D......... Set options for segment demuxer\n";

/* Only with HLS_REPLAY_SEG_MAX_RETRY=1 (FFmpeg 7.1+ has it; 5.1 does not). */
static const char HLS_HELP_SEG_MAX_RETRY[] =
    "  -seg_max_retry     <int>        .D......... Maximum number of times to reload a segment on error. (from 0 to INT_MAX) (default 0)\n";

static const char HTTP_HELP[] =
    "http AVOptions:\n"
    "  -seekable          <boolean>    .D......... control seekability of connection (default auto)\n"
    "  -chunked_post      <boolean>    E.......... use chunked transfer-encoding for posts (default true)\n"
    "  -http_proxy        <string>     ED......... set HTTP proxy to tunnel through\n"
    "  -headers           <string>     ED......... set custom HTTP headers, can override built in default headers\n"
    "  -content_type      <string>     ED......... set a specific content type for the POST messages\n"
    "  -user_agent        <string>     .D......... override User-Agent header (default \"Lavf/59.27.100\")\n"
    "  -referer           <string>     .D......... override referer header\n"
    "  -multiple_requests <boolean>    ED......... use persistent connections (default false)\n"
    "  -post_data         <binary>     ED......... set custom HTTP post data\n"
    "  -cookies           <string>     .D......... set cookies to be sent in applicable future requests, use newline delimited Set-Cookie HTTP field value syntax\n"
    "  -icy               <boolean>    .D......... request ICY metadata (default true)\n"
    "  -auth_type         <int>        ED......... HTTP authentication type (from 0 to 1) (default none)\n"
    "     none            0            ED......... No auth method set, autodetect\n"
    "     basic           1            ED......... HTTP basic authentication\n"
    "  -send_expect_100   <boolean>    E.......... Force sending an Expect: 100-continue header for POST (default auto)\n"
    "  -location          <string>     ED......... The actual location of the data received\n"
    "  -offset            <int64>      .D......... initial byte offset (from 0 to I64_MAX) (default 0)\n"
    "  -end_offset        <int64>      .D......... try to limit the request to bytes preceding this offset (from 0 to I64_MAX) (default 0)\n"
    "  -method            <string>     ED......... Override the HTTP method or set the expected HTTP method from a client\n"
    "  -reconnect         <boolean>    .D......... auto reconnect after disconnect before EOF (default false)\n"
    "  -reconnect_at_eof  <boolean>    .D......... auto reconnect at EOF (default false)\n"
    "  -reconnect_on_network_error <boolean>    .D......... auto reconnect in case of tcp/tls error during connect (default false)\n"
    "  -reconnect_on_http_error <string>     .D......... list of http status codes to reconnect on\n"
    "  -reconnect_streamed <boolean>    .D......... auto reconnect streamed / non seekable streams (default false)\n"
    "  -reconnect_delay_max <int>        .D......... max reconnect delay in seconds after which to give up (from 0 to 4294) (default 120)\n"
    "  -listen            <int>        ED......... listen on HTTP (from 0 to 2) (default 0)\n"
    "  -resource          <string>     E.......... The resource requested by a client\n"
    "  -reply_code        <int>        E.......... The http status code to return to a client (from INT_MIN to 599) (default 200)\n"
    "  -short_seek_size   <int>        .D......... Threshold to favor readahead over seek. (from 0 to INT_MAX) (default 0)\n"
    "  -max_redirects     <int>        .D......... Maximum number of redirects (from 0 to INT_MAX) (default 8)\n"
    "\n";

static const char PROTOCOLS[] =
    "Supported file protocols:\n"
    "Input:\n"
    "  async\n  cache\n  concat\n  concatf\n  crypto\n  data\n  file\n  ftp\n  hls\n  http\n"
    "  httpproxy\n  https\n  pipe\n  rtmp\n  rtp\n  subfile\n  tcp\n  tls\n  udp\n  unix\n"
    "Output:\n"
    "  crypto\n  file\n  ftp\n  http\n  httpproxy\n  https\n  md5\n  pipe\n  rtmp\n  rtp\n"
    "  tee\n  tcp\n  tls\n  udp\n  unix\n";

/* ---------------------------------------------------------------- output */

volatile sig_atomic_t g_signal = 0;
static int g_fd_ok[3] = {1, 1, 1};

static void on_signal(int sig) {
  if (!g_signal) g_signal = sig;
}

/* One write() per call, as FFmpeg's unbuffered stderr does; loops only on a short write. */
void write_all(int fd, const char *p, size_t n) {
  if (fd < 0 || fd > 2 || !g_fd_ok[fd]) return;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w >= 0) {
      p += w;
      n -= (size_t)w;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      struct pollfd pfd = {.fd = fd, .events = POLLOUT};
      poll(&pfd, 1, 1000);
      continue;
    }
    if (errno == EPIPE) _exit(1); /* reader gone (SIGPIPE was blocked/ignored) */
    g_fd_ok[fd] = 0;              /* EBADF etc.: stop writing there, keep the other stream */
    return;
  }
}

void write_str(int fd, const char *s) { write_all(fd, s, strlen(s)); }

/* ---------------------------------------------------------------- argv (FFmpeg's -loglevel) */

static const struct { const char *name; int level; } LEVELS[] = {
    {"quiet", -8}, {"panic", 0}, {"fatal", 8}, {"error", 16}, {"warning", 24},
    {"info", 32}, {"verbose", 40}, {"debug", 48}, {"trace", 56},
};

static int starts_with(const char *s, const char *prefix, const char **rest) {
  size_t n = strlen(prefix);
  if (strncmp(s, prefix, n) != 0) return 0;
  *rest = s + n;
  return 1;
}

/* Mirrors FFmpeg 5.1's opt_loglevel (flags "repeat", "level"; 7.1+ also "time", "datetime"). */
static int parse_loglevel(const char *arg, struct opts *o, int allow_datetime) {
  int first = 1;
  for (;;) {
    const char *token = arg;
    int cmd = 0;
    if (*token == '+' || *token == '-') cmd = *token++;
    if (first && !cmd) o->print_level = 0, o->datetime = 0;
    const char *rest;
    if (starts_with(token, "repeat", &rest)) {
      arg = rest;
    } else if (starts_with(token, "level", &rest)) {
      o->print_level = cmd != '-';
      arg = rest;
    } else if (allow_datetime && starts_with(token, "datetime", &rest)) {
      o->datetime = cmd == '-' ? 0 : 2;
      arg = rest;
    } else if (allow_datetime && starts_with(token, "time", &rest)) {
      o->datetime = cmd == '-' ? 0 : (o->datetime ? o->datetime : 1);
      arg = rest;
    } else {
      break;
    }
    first = 0;
  }
  if (!*arg) return 0;
  if (*arg == '+') arg++;
  for (size_t i = 0; i < sizeof LEVELS / sizeof LEVELS[0]; i++) {
    if (!strcmp(LEVELS[i].name, arg)) {
      o->level = LEVELS[i].level;
      return 0;
    }
  }
  char *tail;
  long v = strtol(arg, &tail, 10);
  if (*tail || tail == arg) {
    char buf[512];
    snprintf(buf, sizeof buf, "Invalid loglevel \"%s\". Possible levels are numbers or:\n", arg);
    write_str(2, buf);
    for (size_t i = 0; i < sizeof LEVELS / sizeof LEVELS[0]; i++) {
      snprintf(buf, sizeof buf, "\"%s\"\n", LEVELS[i].name);
      write_str(2, buf);
    }
    return -1;
  }
  o->level = (int)v;
  return 0;
}

int main(int argc, char **argv) {
  struct opts o = {.level = 32, .print_level = 0, .datetime = 0, .stats = 1, .progress_fd = -1};
  const char *env_dt = getenv("HLS_REPLAY_DATETIME");
  int allow_datetime = env_dt && !strcmp(env_dt, "1");
  const char *help = NULL;
  int version = 0, protocols = 0;

  /* FFmpeg reads -loglevel before anything else, so a bad one fails every invocation. */
  for (int i = 1; i < argc; i++) {
    if ((!strcmp(argv[i], "-loglevel") || !strcmp(argv[i], "-v")) && i + 1 < argc) {
      if (parse_loglevel(argv[i + 1], &o, allow_datetime) < 0) return 1;
      i++;
    }
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-version")) version = 1;
    else if (!strcmp(a, "-protocols")) protocols = 1;
    else if (!strcmp(a, "-hide_banner")) o.hide_banner = 1;
    else if (!strcmp(a, "-nostats")) o.stats = 0;
    else if (!strcmp(a, "-stats")) o.stats = 1;
    else if ((!strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help")) ) help = i + 1 < argc ? argv[i + 1] : "";
    else if (!strcmp(a, "-progress") && i + 1 < argc) {
      const char *v = argv[++i];
      o.progress_fd = !strcmp(v, "pipe:1") || !strcmp(v, "pipe:") || !strcmp(v, "-") ? 1
                      : !strcmp(v, "pipe:2")                                      ? 2
                                                                                  : -1;
    }
  }
  if (version) {
    write_str(1, VERSION_TEXT);
    return 0;
  }
  if (help) {
    if (!strcmp(help, "demuxer=hls")) {
      write_str(1, HLS_HELP_HEAD);
      const char *e = getenv("HLS_REPLAY_SEG_MAX_RETRY");
      if (e && !strcmp(e, "1")) write_str(1, HLS_HELP_SEG_MAX_RETRY);
      write_str(1, "\n");
    } else if (!strcmp(help, "protocol=http")) {
      write_str(1, HTTP_HELP);
    } else {
      write_str(1, "hls-replay: only -h demuxer=hls and -h protocol=http are answered\n");
    }
    return 0;
  }
  if (protocols) {
    write_str(1, PROTOCOLS);
    return 0;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART; /* writes restart; clock_nanosleep still returns EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGXCPU, &sa, NULL);
  signal(SIGPIPE, SIG_DFL); /* a dead reader ends us, whatever the parent's disposition */

  if (!o.hide_banner && o.level >= 32) {
    /* FFmpeg prints its banner on stderr unless -hide_banner; hls-swarm always hides it. */
    write_str(2, "ffmpeg version 5.1-replay Copyright (c) 2000-2026 the FFmpeg developers\n");
  }
  return run_script(&o);
}
