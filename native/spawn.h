/*
 * Starting one client: fork, the child's set-up, exec. Every failure is returned to the caller,
 * which reports that one spawn as failed and goes on serving the others (nothing here exits the
 * fan-in: running out of descriptors or processes is a failed spawn, not a dead fan-in).
 */
#ifndef HLS_SWARM_FANIN_SPAWN_H
#define HLS_SWARM_FANIN_SPAWN_H
#include <stdint.h>
#include <sys/types.h>

/* Opens the descriptor every child's stdin (and unpiped streams) comes from, once, close-on-exec,
 * and marks every descriptor the fan-in inherited above stderr close-on-exec: a child sees 0, 1
 * and 2 only. Returns 0, or errno. */
int spawn_init(void);

/* A started child: its pid and the read ends of its piped streams (-1 when not asked). */
struct spawned {
  pid_t pid;
  int fd[2]; /* [0] stderr, [1] stdout; non-blocking, close-on-exec */
};

/* Starts argv (NULL-terminated, argv[0] looked up on PATH) in its own session and process group,
 * with a parent-death SIGKILL; `streams` bit 0 pipes its stderr, bit 1 its stdout. Returns 0, or
 * the errno of the step that failed, naming it in *what ("pipe", "fork", "dup2", or argv[0] when
 * exec failed). Nothing is left open or running after a failure. */
int spawn_child(uint8_t streams, char *const argv[], struct spawned *out, const char **what);

/* Takes back a child the fan-in cannot serve (it could not watch its pipes): SIGKILLs its group,
 * waits for it and closes its pipes. */
void spawn_undo(struct spawned *s);
#endif
