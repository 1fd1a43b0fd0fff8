/*
 * What the two halves of hls-replay share: its options (from FFmpeg's argv), its output (one
 * write() per call, as FFmpeg's unbuffered stderr does) and the signal that ends the playback.
 * hls-replay.c answers the probes and reads argv; replay_play.c plays the script.
 */
#ifndef HLS_REPLAY_H
#define HLS_REPLAY_H
#include <signal.h>
#include <stddef.h>

struct opts {
  int level;          /* AV_LOG_* value, 32 = info by default */
  int print_level;    /* "level" flag */
  int datetime;       /* 0 none, 1 time, 2 datetime */
  int stats;          /* periodic status lines (no -nostats) */
  int progress_fd;    /* 1/2 for -progress pipe:N, -1 none */
  int hide_banner;
};

/* The first SIGTERM, SIGINT or SIGXCPU received, 0 before one. */
extern volatile sig_atomic_t g_signal;

/* One write() per call; loops only on a short write. A dead reader ends the process. */
void write_all(int fd, const char *p, size_t n);
void write_str(int fd, const char *s);

/* Plays HLS_REPLAY_SCRIPT with options o; returns an exit code only when it cannot start. */
int run_script(const struct opts *o);
#endif
