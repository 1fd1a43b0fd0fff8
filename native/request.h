/*
 * The spawn request hls-swarm writes to the fan-in's stdin (see fanin.c for the layout), checked
 * and decoded in place. A request that is framed right but asks for something wrong (no argv, too
 * many arguments or bytes, unknown stream bits) fails that one spawn; only a broken frame, which
 * leaves no way to find the next request, stops the fan-in.
 */
#ifndef HLS_SWARM_FANIN_REQUEST_H
#define HLS_SWARM_FANIN_REQUEST_H
#include <stddef.h>
#include <stdint.h>

/* Bounds of a request's length (which counts from the 'S'): type, token, streams, then argv. */
#define REQUEST_MIN_BYTES 6u
#define REQUEST_MAX_BYTES (1u << 24)
/* The most arguments (argv[0] included) a request may carry; more is refused, never cut. */
#define REQUEST_MAX_ARGS 1024

struct request {
  uint32_t token;
  uint8_t streams; /* bit 0 stderr, bit 1 stdout */
  int argc;
  char *argv[REQUEST_MAX_ARGS + 1]; /* pointers into the request's bytes, NULL-terminated */
};

/* What a request's frame allows: to decode it; to refuse it (that spawn fails) and skip its bytes
 * as they come, for a spawn request longer than the bound; or nothing, for a length under the
 * least or another type, since the next request cannot be found then. */
enum frame { FRAME_SOUND, FRAME_TOO_LONG, FRAME_BROKEN };

/* Checks the frame of a request whose length field is `length` and whose first byte is `type`,
 * saying why in `why` unless it is sound. */
enum frame request_frame(uint32_t length, uint8_t type, char *why, size_t why_size);

/* Decodes the request body r[0, n), n within the bounds, r[0] == 'S'. Returns 0, or the errno of
 * why the spawn is refused (EINVAL, E2BIG) with one line in why; the token is decoded either way
 * so that the refusal reaches the right client. */
int request_decode(uint8_t *r, uint32_t n, struct request *req, char *why, size_t why_size);
#endif
