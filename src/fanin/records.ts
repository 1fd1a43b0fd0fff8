/**
 * The record stream of `hls-swarm-fanin` (native/fanin.c), decoded, and the request that
 * asks it to start a client. Pure: bytes in, calls out. Integers are little-endian.
 * @module
 */

/**
 * The protocol's constants, as native/protocol.h defines them (names and values): the header is
 * the one place the protocol is written, and protocol_test.ts fails when this table and it differ.
 * FANIN_PROTOCOL is its version: the fan-in sends it as its hello record's token, and a fan-in
 * that sends another is refused ({@link ./spawner.ts}); one from before versions sends 0.
 */
export const PROTOCOL = {
  FANIN_PROTOCOL: 2,
  FANIN_RECORD_HELLO: 0x48, // H
  FANIN_RECORD_STARTED: 0x50, // P
  FANIN_RECORD_SPAWN_FAILED: 0x45, // E
  FANIN_RECORD_LINES: 0x47, // G
  FANIN_RECORD_DROPPED: 0x44, // D
  FANIN_RECORD_CLOSED: 0x43, // C
  FANIN_RECORD_EXITED: 0x58, // X
  FANIN_REQUEST_SPAWN: 0x53, // S
  FANIN_HEAD_BYTES: 5,
  FANIN_HELLO_BYTES: 8,
  FANIN_STARTED_BYTES: 4,
  FANIN_DROPPED_BYTES: 5,
  FANIN_CLOSED_BYTES: 9,
  FANIN_EXITED_BYTES: 8,
  FANIN_LINES_FIXED_BYTES: 17,
  FANIN_SPAWN_FAILED_FIXED_BYTES: 6,
  FANIN_STDERR: 0,
  FANIN_STDOUT: 1,
  FANIN_STREAM_STDERR: 1,
  FANIN_STREAM_STDOUT: 2,
  FANIN_FILTER_STDERR: 4,
  FANIN_STREAM_BITS: 7,
  FANIN_MAX_LINE: 8192,
} as const;

/** The protocol version this hls-swarm speaks ({@linkcode PROTOCOL}). */
export const FANIN_PROTOCOL = PROTOCOL.FANIN_PROTOCOL;

/** The two output streams of a client, numbered as the fan-in numbers them. */
export const STDERR = PROTOCOL.FANIN_STDERR;
export const STDOUT = PROTOCOL.FANIN_STDOUT;

/** What the record stream says, one method per record type. */
export interface RecordHandler {
  /** The fan-in's first record: its clock now, and the protocol version it speaks. */
  hello(monotonicMs: number, protocol: number): void;
  started(token: number, pid: number): void;
  spawnFailed(token: number, errno: number, message: string): void;
  /** One line of a stream and when it was read. */
  line(token: number, stream: number, text: string, atMs: number): void;
  dropped(token: number, stream: number, lines: number): void;
  /**
   * Lines of a stream the fan-in read and filtered out, since its last record: no parser reads
   * them (the selection on its argv, native/filter.h). Neither read nor lost; counted.
   */
  filtered?(token: number, stream: number, lines: number): void;
  closed(token: number, stream: number, truncatedLines: number): void;
  exited(token: number, code: number, signal: number): void;
}

const HEAD = PROTOCOL.FANIN_HEAD_BYTES;
const LINES_FIXED = PROTOCOL.FANIN_LINES_FIXED_BYTES;
const FAILED_FIXED = PROTOCOL.FANIN_SPAWN_FAILED_FIXED_BYTES;

/**
 * The largest line group believed. The fan-in sends the lines of one pipe read (64 KiB, plus a
 * partial line of at most 8 KiB) per group; a length far beyond that is a corrupt stream, and
 * waiting for that many bytes would only buffer the rest of the run.
 */
export const MAX_GROUP_BYTES = 16 * 1024 * 1024;

/**
 * The record stream is corrupt (an unknown record type, an impossible length): it cannot be
 * resynchronised, so the reader gives up on that fan-in (src/fanin/spawner.ts ends it and
 * reports every one of its clients as exited). The only error {@linkcode RecordDecoder.push}
 * throws by itself.
 *
 * @example
 * ```ts
 * import type { RecordHandler } from "./records.ts";
 * const seen: string[] = [];
 * const handler: RecordHandler = {
 *   hello() {},
 *   started: (token, pid) => seen.push(`client ${token} started as pid ${pid}`),
 *   spawnFailed() {},
 *   line() {},
 *   dropped() {},
 *   closed() {},
 *   exited() {},
 * };
 * const decoder = new RecordDecoder();
 * try {
 *   decoder.push(new Uint8Array([0x21, 0, 0, 0, 0]), handler); // "!" is no record type
 * } catch (e) {
 *   // spawner.ts kills that fan-in and reports each of its clients as exited
 *   if (!(e instanceof RecordStreamError)) throw e;
 * }
 * ```
 */
export class RecordStreamError extends Error {
  override name = "RecordStreamError";
}

/**
 * Decodes records from chunks that may split them anywhere.
 *
 * @example
 * ```ts
 * import type { RecordHandler } from "./records.ts";
 * const seen: string[] = [];
 * const handler: RecordHandler = {
 *   hello() {},
 *   started: (token, pid) => seen.push(`client ${token} started as pid ${pid}`),
 *   spawnFailed() {},
 *   line() {},
 *   dropped() {},
 *   closed() {},
 *   exited() {},
 * };
 * const decoder = new RecordDecoder();
 * // A "started" record (P, token 7, pid 12345), split across two chunks:
 * decoder.push(new Uint8Array([0x50, 7, 0, 0, 0, 0x39]), handler);
 * decoder.pending; // 6: kept for the next chunk
 * decoder.push(new Uint8Array([0x30, 0, 0]), handler);
 * seen; // ["client 7 started as pid 12345"]
 * ```
 */
export class RecordDecoder {
  #rest = new Uint8Array(0);

  /**
   * Decodes every whole record; keeps a partial one for the next chunk. Throws
   * {@linkcode RecordStreamError} on a corrupt stream, and whatever a handler throws.
   */
  push(chunk: Uint8Array, handler: RecordHandler): void {
    let bytes = chunk;
    if (this.#rest.length > 0) {
      bytes = new Uint8Array(this.#rest.length + chunk.length);
      bytes.set(this.#rest);
      bytes.set(chunk, this.#rest.length);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    try {
      while (bytes.length - at >= HEAD) {
        const size = recordSize(bytes, view, at);
        if (size < 0 || bytes.length - at < size) break;
        at += size; // first: a handler that throws does not get the same record again
        dispatch(bytes, view, at - size, handler);
      }
    } finally {
      this.#rest = bytes.slice(at);
    }
  }

  /** Bytes of a record not yet complete. */
  get pending(): number {
    return this.#rest.length;
  }
}

/** The whole size of the record at `at`, or -1 when its length is not in yet. */
function recordSize(bytes: Uint8Array, view: DataView, at: number): number {
  switch (bytes[at]) {
    case PROTOCOL.FANIN_RECORD_STARTED:
      return HEAD + PROTOCOL.FANIN_STARTED_BYTES;
    case PROTOCOL.FANIN_RECORD_DROPPED:
      return HEAD + PROTOCOL.FANIN_DROPPED_BYTES;
    case PROTOCOL.FANIN_RECORD_CLOSED:
      return HEAD + PROTOCOL.FANIN_CLOSED_BYTES;
    case PROTOCOL.FANIN_RECORD_HELLO:
      return HEAD + PROTOCOL.FANIN_HELLO_BYTES;
    case PROTOCOL.FANIN_RECORD_EXITED:
      return HEAD + PROTOCOL.FANIN_EXITED_BYTES;
    case PROTOCOL.FANIN_RECORD_LINES: { // stream, at, filtered, u32 n, bytes
      if (bytes.length - at < HEAD + LINES_FIXED) return -1;
      const n = view.getUint32(at + HEAD + LINES_FIXED - 4, true);
      if (n > MAX_GROUP_BYTES) {
        throw new RecordStreamError(`hls-swarm-fanin: a line group of ${n} bytes`);
      }
      return HEAD + LINES_FIXED + n;
    }
    case PROTOCOL.FANIN_RECORD_SPAWN_FAILED: // errno, u16 n, bytes
      if (bytes.length - at < HEAD + FAILED_FIXED) return -1;
      return HEAD + FAILED_FIXED + view.getUint16(at + HEAD + FAILED_FIXED - 2, true);
  }
  throw new RecordStreamError(`hls-swarm-fanin: unknown record type ${bytes[at]}`);
}

const utf8 = new TextDecoder();

function dispatch(bytes: Uint8Array, view: DataView, at: number, h: RecordHandler): void {
  const token = view.getUint32(at + 1, true);
  const p = at + HEAD;
  switch (bytes[at]) {
    case PROTOCOL.FANIN_RECORD_HELLO:
      return h.hello(stamp(view, p), token);
    case PROTOCOL.FANIN_RECORD_STARTED:
      return h.started(token, view.getInt32(p, true));
    case PROTOCOL.FANIN_RECORD_SPAWN_FAILED: {
      const n = view.getUint16(p + 4, true);
      return h.spawnFailed(
        token,
        view.getInt32(p, true),
        utf8.decode(bytes.subarray(p + FAILED_FIXED, p + FAILED_FIXED + n)),
      );
    }
    case PROTOCOL.FANIN_RECORD_LINES: {
      // One decode for the whole group; its lines are split off the text.
      const filtered = view.getUint32(p + 9, true);
      const n = view.getUint32(p + 13, true);
      const text = utf8.decode(bytes.subarray(p + LINES_FIXED, p + LINES_FIXED + n));
      const stream = bytes[p], atMs = stamp(view, p + 1);
      if (filtered > 0) h.filtered?.(token, stream, filtered);
      let from = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
        h.line(token, stream, text.slice(from, nl), atMs);
        from = nl + 1;
      }
      return h.line(token, stream, text.slice(from), atMs);
    }
    case PROTOCOL.FANIN_RECORD_DROPPED:
      return h.dropped(token, bytes[p], view.getUint32(p + 1, true));
    case PROTOCOL.FANIN_RECORD_CLOSED: {
      const filtered = view.getUint32(p + 5, true);
      if (filtered > 0) h.filtered?.(token, bytes[p], filtered);
      return h.closed(token, bytes[p], view.getUint32(p + 1, true));
    }
    case PROTOCOL.FANIN_RECORD_EXITED:
      return h.exited(token, view.getInt32(p, true), view.getInt32(p + 4, true));
  }
}

/**
 * A stamp (ms). The fan-in reads CLOCK_MONOTONIC: a NaN or an infinity is a corrupt stream, and
 * let through it would make every later stamp, and so every time measured from them, NaN.
 */
function stamp(view: DataView, at: number): number {
  const ms = view.getFloat64(at, true);
  if (!Number.isFinite(ms)) throw new RecordStreamError(`hls-swarm-fanin: a stamp of ${ms} ms`);
  return ms;
}

const encoder = new TextEncoder();

/**
 * The request that starts client `token`: `streams` is 1 for stderr, 2 for stdout, 3 for both,
 * plus 4 to have stderr's lines selected ({@linkcode PROTOCOL}.FANIN_FILTER_STDERR).
 *
 * @example Not run: it needs a running fan-in to write to (spawner.ts)
 * ```ts ignore
 * await writer.write(spawnRequest(7, 3, ["ffmpeg", "-i", url, "-f", "null", "-"]));
 * ```
 */
export function spawnRequest(token: number, streams: number, argv: string[]): Uint8Array {
  const args = argv.map((a) => encoder.encode(a));
  const size = 6 + args.reduce((n, a) => n + a.length + 1, 0);
  const out = new Uint8Array(4 + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size, true);
  out[4] = PROTOCOL.FANIN_REQUEST_SPAWN;
  view.setUint32(5, token, true);
  out[9] = streams;
  let at = 10;
  for (const a of args) {
    out.set(a, at);
    at += a.length + 1; // the NUL is already 0
  }
  return out;
}
