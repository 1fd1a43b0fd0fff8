/*
 * The protocol between hls-swarm and hls-swarm-fanin, written once: src/fanin/records.ts follows
 * this header, and src/fanin/protocol_test.ts reads it and fails when a value here and there
 * differ. Change both together, and FANIN_PROTOCOL with them, whenever a record or the request
 * changes. All integers are little-endian.
 *
 * Start-up (argv): [--batch-ms MS] [--flush-ms MS] [--buffer-mib MIB], then the line selection
 * that a spawn request may ask for (FANIN_FILTER_STDERR): any number of `--keep PREFIX`,
 * `--latest PREFIX` and `--keep-level LEVEL` (see filter.h). The fan-in answers `--version` with
 * "hls-swarm-fanin V protocol N".
 *
 * stdin, one request:  u32 length, u8 'S', u32 token, u8 streams (FANIN_STREAM_BITS: 1 stderr,
 *                      2 stdout, 4 select stderr's lines), then argv as NUL-terminated strings
 *                      (length counts from the 'S'). A length under 6 or another type stops
 *                      the fan-in (exit 2, the reason on stderr); a request over 16 MiB (skipped
 *                      as it comes), a bad argv (empty, unterminated, over 1,024 arguments) or
 *                      stream bits fail that one spawn (request.h).
 * stdout, records:     u8 type, u32 token (FANIN_HEAD_BYTES), then
 *   'H' hello          f64 monotonic ms now; its token is FANIN_PROTOCOL
 *   'P' started        i32 pid
 *   'E' spawn failed   i32 errno, u16 n, n bytes of message ("pipe: Too many open files",
 *                      "ffmpeg: No such file or directory", "argv has 2000 arguments, ...")
 *   'G' lines          u8 stream (0 stderr, 1 stdout), f64 ms read at, u32 lines of this stream
 *                      filtered out since its last record, u32 n, n bytes: the lines of one
 *                      read, joined by '\n' (a line never holds one)
 *   'D' dropped        u8 stream, u32 lines
 *   'C' stream closed  u8 stream, u32 lines truncated to the maximum length, u32 lines
 *                      filtered out since its last record
 *   'X' exited         i32 code (128 + signal when a signal ended it), i32 signal
 * A filtered line was read and judged to matter to no parser: it is neither a line hls-swarm
 * read nor a lost one, and is only counted.
 */
#ifndef HLS_SWARM_FANIN_PROTOCOL_H
#define HLS_SWARM_FANIN_PROTOCOL_H

/* The version, sent as the hello record's token: hls-swarm refuses a fan-in of another (one from
 * before versions sent 0). Tests build one with -DFANIN_PROTOCOL=N to check the refusal. */
#ifndef FANIN_PROTOCOL
#define FANIN_PROTOCOL 2
#endif

/* Record types: a record's first byte. */
#define FANIN_RECORD_HELLO 'H'
#define FANIN_RECORD_STARTED 'P'
#define FANIN_RECORD_SPAWN_FAILED 'E'
#define FANIN_RECORD_LINES 'G'
#define FANIN_RECORD_DROPPED 'D'
#define FANIN_RECORD_CLOSED 'C'
#define FANIN_RECORD_EXITED 'X'
/* The request's type. */
#define FANIN_REQUEST_SPAWN 'S'

/* Bytes of a record's head (type, token), and of each fixed-size record's body after it. */
#define FANIN_HEAD_BYTES 5
#define FANIN_HELLO_BYTES 8
#define FANIN_STARTED_BYTES 4
#define FANIN_DROPPED_BYTES 5
#define FANIN_CLOSED_BYTES 9
#define FANIN_EXITED_BYTES 8
/* Bytes of a lines record's body before its text, and of a spawn failure's before its message. */
#define FANIN_LINES_FIXED_BYTES 17
#define FANIN_SPAWN_FAILED_FIXED_BYTES 6

/* Stream numbers in records, and the request's stream bits. */
#define FANIN_STDERR 0
#define FANIN_STDOUT 1
#define FANIN_STREAM_STDERR 1
#define FANIN_STREAM_STDOUT 2
#define FANIN_FILTER_STDERR 4
#define FANIN_STREAM_BITS 7

/* The longest line passed whole; a longer one is cut here and counted as truncated. */
#define FANIN_MAX_LINE 8192
#endif
