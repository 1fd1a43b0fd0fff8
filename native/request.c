/* The spawn request: see request.h. */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"

enum frame request_frame(uint32_t length, uint8_t type, char *why, size_t why_size) {
  if (length < REQUEST_MIN_BYTES) {
    snprintf(why, why_size, "request length %u is under %u bytes", length, REQUEST_MIN_BYTES);
    return FRAME_BROKEN;
  }
  if (type != FANIN_REQUEST_SPAWN) {
    snprintf(why, why_size, "request type 0x%02x is not 'S'", type);
    return FRAME_BROKEN;
  }
  if (length > REQUEST_MAX_BYTES) {
    snprintf(why, why_size, "request of %u bytes is over the limit of %u", length, REQUEST_MAX_BYTES);
    return FRAME_TOO_LONG;
  }
  return FRAME_SOUND;
}

int request_decode(uint8_t *r, uint32_t n, struct request *req, char *why, size_t why_size) {
  memcpy(&req->token, r + 1, 4);
  req->streams = r[5];
  req->argc = 0;
  req->argv[0] = NULL;
  if (req->streams > FANIN_STREAM_BITS) {
    snprintf(why, why_size, "streams is %u, not 0..%u", req->streams, FANIN_STREAM_BITS);
    return EINVAL;
  }
  if (n == REQUEST_MIN_BYTES) {
    snprintf(why, why_size, "argv is empty");
    return EINVAL;
  }
  if (r[n - 1] != 0) { /* the last argument would run past the request */
    snprintf(why, why_size, "argv's last argument is not NUL-terminated");
    return EINVAL;
  }
  /* Counted to the end, so that the refusal says how many there were. */
  long argc = 0;
  for (size_t i = REQUEST_MIN_BYTES; i < n; i += strlen((char *)r + i) + 1) {
    if (argc < REQUEST_MAX_ARGS) req->argv[argc] = (char *)r + i;
    argc++;
  }
  if (argc > REQUEST_MAX_ARGS) {
    snprintf(why, why_size, "argv has %ld arguments, the limit is %d", argc, REQUEST_MAX_ARGS);
    return E2BIG;
  }
  req->argc = (int)argc;
  req->argv[argc] = NULL;
  if (req->argv[0][0] == 0) {
    snprintf(why, why_size, "argv[0] is empty");
    return EINVAL;
  }
  return 0;
}
