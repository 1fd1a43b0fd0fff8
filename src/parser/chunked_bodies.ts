/**
 * Bodies sent without `Content-Length`, as `Transfer-Encoding: chunked`: playlists that
 * packagers and CDNs rewrite on the fly (nginx's `sub_filter` in front of an origin, say) come so.
 * FFmpeg logs each chunk's size at trace as it reads the chunk's header (http.c:
 * `Chunked encoding data size: N`, in 5.1, 7.1 and 9.0 alike), and a last chunk of size 0 when
 * the body ends. A chunked body's bytes are the sum of its chunk sizes (the chunk framing,
 * which nginx's `$body_bytes_sent` includes, is not body), and unlike a `Content-Length` body
 * its end is seen: it counts the moment its last chunk comes.
 *
 * Captured: testdata/ffmpeg-X/stderr_trace_chunked_playlist.txt.
 * @module
 */
import type { RequestKind } from "./url_kind.ts";

/** A chunked 2xx body being read. */
export interface ChunkedBody {
  /** The request's number in its run (see StderrParser). */
  req: number;
  kind: RequestKind;
  /** The sum of the chunk sizes logged so far. */
  bytes: number;
}

/** The prefix of FFmpeg's chunk line (after the context and level). */
export const CHUNK_LINE = "Chunked encoding data size: ";

/**
 * Whether a logged header line (`header='…'`) says the body is chunked.
 *
 * @example
 * ```ts
 * isChunkedHeader("header='Transfer-Encoding: chunked'"); // true
 * isChunkedHeader("header='Content-Length: 610'"); // false
 * ```
 */
export function isChunkedHeader(msg: string): boolean {
  return msg.length === CHUNKED_HEADER.length && msg.toLowerCase() === CHUNKED_HEADER;
}
const CHUNKED_HEADER = "header='transfer-encoding: chunked'";

/**
 * The chunked bodies of one FFmpeg run, by the address of the HTTP context reading them.
 *
 * @example
 * ```ts
 * const bodies = new ChunkedBodies();
 * bodies.begin("0x1", 3, "manifest");
 * bodies.chunk("0x1", "Chunked encoding data size: 610"); // null: more may come
 * bodies.chunk("0x1", "Chunked encoding data size: 0"); // { req: 3, kind: "manifest", bytes: 610 }
 * ```
 */
export class ChunkedBodies {
  #open = new Map<string, ChunkedBody>();

  /** A 2xx response on `addr` announced a chunked body. */
  begin(addr: string, req: number, kind: RequestKind): void {
    this.#open.set(addr, { req, kind, bytes: 0 });
  }

  /** A chunk line on `addr`: returns the whole body when it was the last chunk (size 0). */
  chunk(addr: string, msg: string): ChunkedBody | null {
    const body = this.#open.get(addr);
    if (!body) return null;
    // The size is hex in the response, printed in decimal by FFmpeg.
    const n = Number.parseInt(msg.slice(CHUNK_LINE.length), 10);
    if (!Number.isSafeInteger(n) || n < 0) return null;
    if (n > 0) {
      body.bytes += n;
      return null;
    }
    this.#open.delete(addr);
    return body;
  }

  /** A new request on `addr`: a body still open there will not get more chunks. */
  abandon(addr: string): ChunkedBody | null {
    const body = this.#open.get(addr) ?? null;
    this.#open.delete(addr);
    return body;
  }

  /** Bodies whose last chunk never came (the run ended), taken out. */
  takeOpen(): ChunkedBody[] {
    const open = [...this.#open.values()];
    this.#open.clear();
    return open;
  }

  /** Lines were lost: a chunk may be among them, so no open body's size is known. */
  clear(): void {
    this.#open.clear();
  }
}
