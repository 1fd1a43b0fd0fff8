/* Starting one client: see spawn.h. */
#define _GNU_SOURCE
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* /dev/null, opened once: opening it in each child could fail there (out of descriptors) after
 * the fork, and a descriptor opened without close-on-exec leaked into every FFmpeg. */
static int null_fd = -1;

/* What the child reports through the status pipe when a step before or at exec fails. */
enum step { STEP_SETSID, STEP_PDEATHSIG, STEP_DUP2, STEP_EXEC };
static const char *const step_names[] = {"setsid", "prctl", "dup2", NULL /* argv[0] */};
struct failure {
  int32_t step, err;
};

/* Marks every descriptor from 3 up close-on-exec: close_range (Linux 5.11; called through
 * syscall(), which glibc before 2.34 also has), else one by one. */
static int cloexec_above_stderr(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
#endif
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return errno;
  for (struct dirent *e; (e = readdir(dir));) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != dirfd(dir)) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  closedir(dir);
  return 0;
}

int spawn_init(void) {
  /* 0 and 1 are the protocol; a closed 2 is filled with /dev/null, so that no pipe end is ever
   * 0, 1 or 2 and the child's dup2 onto them never overwrites an end it still has to dup. */
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int filled = open("/dev/null", O_RDWR);
    if (filled != fd) return filled < 0 ? errno : EBADF;
  }
  /* Descriptors the fan-in inherited (its parent's leaks) must not reach the children either. */
  int err = cloexec_above_stderr();
  if (err) return err;
  null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  return null_fd < 0 ? errno : 0;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* In the child, between fork and exec: reports the failed step through `status` and exits 127. */
static void fail_child(int status, enum step step) {
  struct failure f = {step, errno};
  if (write(status, &f, sizeof f) < 0) _exit(127);
  _exit(127);
}

static void run_child(char *const argv[], const int write_end[2], int status, pid_t parent) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL); /* the fan-in blocks SIGCHLD for its signalfd */
  signal(SIGPIPE, SIG_DFL);
  if (setsid() < 0) fail_child(status, STEP_SETSID);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail_child(status, STEP_PDEATHSIG);
  if (getppid() != parent) _exit(127); /* the fan-in died before the line above */
  /* dup2 clears close-on-exec on 0, 1 and 2 only; every other descriptor closes at exec. */
  if (dup2(null_fd, 0) < 0 || dup2(write_end[1] >= 0 ? write_end[1] : null_fd, 1) < 0 ||
      dup2(write_end[0] >= 0 ? write_end[0] : null_fd, 2) < 0)
    fail_child(status, STEP_DUP2);
  execvp(argv[0], argv);
  fail_child(status, STEP_EXEC);
}

int spawn_child(uint8_t streams, char *const argv[], struct spawned *out, const char **what) {
  int pipes[2][2] = {{-1, -1}, {-1, -1}}, status[2] = {-1, -1};
  int err = 0;
  *what = "pipe";
  for (int i = 0; i < 2 && !err; i++)
    if ((streams & (1 << i)) && pipe2(pipes[i], O_CLOEXEC) < 0) err = errno;
  if (!err && pipe2(status, O_CLOEXEC) < 0) err = errno;
  pid_t pid = -1;
  if (!err) {
    pid_t parent = getpid();
    pid = fork();
    if (pid == 0) run_child(argv, (int[2]){pipes[0][1], pipes[1][1]}, status[1], parent);
    if (pid < 0) {
      err = errno;
      *what = "fork";
    }
  }
  close_fd(&status[1]);
  for (int i = 0; i < 2; i++) close_fd(&pipes[i][1]);
  if (pid > 0) {
    struct failure f;
    ssize_t n;
    do n = read(status[0], &f, sizeof f);
    while (n < 0 && errno == EINTR);
    if (n == sizeof f) { /* a step failed: the child has exited with 127 */
      waitpid(pid, NULL, 0);
      err = f.err;
      *what = f.step >= 0 && f.step < STEP_EXEC ? step_names[f.step] : argv[0];
    }
  }
  close_fd(&status[0]);
  if (err) {
    for (int i = 0; i < 2; i++) close_fd(&pipes[i][0]);
    return err;
  }
  out->pid = pid;
  for (int i = 0; i < 2; i++) {
    out->fd[i] = pipes[i][0];
    /* Only the read end: the child's end stays blocking, as FFmpeg expects. */
    if (out->fd[i] >= 0) fcntl(out->fd[i], F_SETFL, O_NONBLOCK);
  }
  return 0;
}

void spawn_undo(struct spawned *s) {
  kill(-s->pid, SIGKILL);
  waitpid(s->pid, NULL, 0);
  for (int i = 0; i < 2; i++) close_fd(&s->fd[i]);
}
