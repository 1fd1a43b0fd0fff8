/*
 * Which of a client's stderr lines hls-swarm's parsers read, as they declare it (the selection
 * comes on the fan-in's argv: protocol.h; src/parser/parsers_for.ts writes it, and
 * src/lines/select.ts is the same rule in TypeScript). At trace level FFmpeg writes about 65
 * lines a second per viewer, and most of them feed no parser: judged here, in C, they cost
 * neither a record byte nor a JavaScript string.
 *
 * A line is judged on what follows FFmpeg's `datetime` prefix, when it has one:
 * - kept when it starts with a --keep prefix, or carries a --keep-level tag (`[error] …`, or
 *   `[ctx @ 0x…] [error] …`): the stderr tail of a failed exit keeps FFmpeg's reasons;
 * - else "latest" when it starts with a --latest prefix: only the last of a run of such lines
 *   matters (a demuxer's packet lines, of which the parser keeps the last one's time). It is
 *   held, and passed, with its own stamp, just before the stream's next kept line, at the end
 *   of the read it came in, or at the stream's end; a held line that another replaces is
 *   filtered;
 * - else filtered.
 */
#ifndef HLS_SWARM_FANIN_FILTER_H
#define HLS_SWARM_FANIN_FILTER_H
#include <stddef.h>
#include <stdint.h>

enum verdict { LINE_KEEP, LINE_LATEST, LINE_FILTERED };
enum rule { RULE_KEEP, RULE_LATEST, RULE_LEVEL };

/* Adds a rule from argv; returns 0, or -1 with the reason in why (too many, too long, empty). */
int filter_add(enum rule kind, const char *text, char *why, size_t why_size);
/* What the selection says of the line p[0, n). */
enum verdict filter_line(const uint8_t *p, size_t n);
#endif
