/**
 * Just enough HTTP/1.1 for /metrics, /health and /ready: read a request head (request line and
 * header fields, no body) from a connection, and encode a whole response. The server around it
 * owns the connection, its limits and its deadlines.
 * @module
 */

/** A parsed request head. */
export interface RequestHead {
  method: string;
  /** The path without its query (`/metrics` for `GET /metrics?x=1` or an absolute-form URL). */
  path: string;
  version: "HTTP/1.0" | "HTTP/1.1";
  /** Field names lower-cased; repeated fields joined with ", ". */
  headers: Map<string, string>;
}

/** What reading a head gave: a head and the bytes after it, or why there is none. */
export type HeadRead =
  | { head: string; rest: Uint8Array }
  | { end: "eof" | "too-large" };

const LF = 10, CR = 13;

/** What readHead needs of a connection. */
export interface ByteReader {
  read(p: Uint8Array): Promise<number | null>;
}

/** The offset just past the empty line that ends the head, or -1. Accepts bare LF line ends. */
function headEnd(buf: Uint8Array): number {
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (buf[i + 1] === LF) return i + 2;
    if (buf[i + 1] === CR && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}

/**
 * Reads from `conn` until a whole head is buffered. `pending` holds bytes already read past the
 * previous request (a pipelining client). Stops at `maxBytes` without a head ("too-large").
 *
 * @example Not run: it needs an accepted connection (server_test.ts)
 * ```ts ignore
 * const read = await readHead(conn, new Uint8Array(0), 16_384);
 * if ("head" in read) parseRequestHead(read.head);
 * ```
 */
export async function readHead(
  conn: ByteReader,
  pending: Uint8Array,
  maxBytes: number,
): Promise<HeadRead> {
  let buf = pending;
  const chunk = new Uint8Array(4096);
  for (;;) {
    // RFC 9112 §2.2: empty lines before a request line are skipped.
    let skip = 0;
    while (buf[skip] === CR || buf[skip] === LF) skip++;
    if (skip) buf = buf.subarray(skip);
    const end = headEnd(buf);
    if (end >= 0 && end <= maxBytes) {
      return { head: latin1.decode(buf.subarray(0, end)), rest: buf.slice(end) };
    }
    if (buf.length >= maxBytes) return { end: "too-large" };
    const n = await conn.read(chunk);
    if (n === null) return { end: "eof" };
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
}

// Header bytes are octets, not UTF-8: latin1 maps each to one char and never fails.
const latin1 = new TextDecoder("latin1");

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/1\.[01])$/;
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

/**
 * Parses a head read by {@linkcode readHead}; a string is why it is malformed (answer 400).
 *
 * @example
 * ```ts
 * parseRequestHead("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); // { method: "GET", path: "/metrics", … }
 * ```
 */
export function parseRequestHead(head: string): RequestHead | string {
  const lines = head.split(/\r?\n/);
  const request = REQUEST_LINE.exec(lines[0]);
  if (!request) return "malformed request line";
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    // Folded lines (obs-fold) and junk are refused, as RFC 9112 lets a server do.
    const field = FIELD.exec(line);
    if (!field) return "malformed header field";
    const name = field[1].toLowerCase();
    const seen = headers.get(name);
    headers.set(name, seen === undefined ? field[2] : `${seen}, ${field[2]}`);
  }
  const path = pathOf(request[2]);
  if (path === null) return "malformed request target";
  return { method: request[1], path, version: request[3] as RequestHead["version"], headers };
}

function pathOf(target: string): string | null {
  if (target === "*") return "*";
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return null;
  }
}

/** True when the request carries a body, which these routes never take. */
export function hasBody(req: RequestHead): boolean {
  const length = req.headers.get("content-length");
  return req.headers.has("transfer-encoding") || (length !== undefined && length !== "0");
}

/** HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes it (we never opt in). */
export function wantsKeepAlive(req: RequestHead): boolean {
  const connection = req.headers.get("connection")?.toLowerCase() ?? "";
  return req.version === "HTTP/1.1" && !connection.split(",").some((t) => t.trim() === "close");
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A response to encode. */
export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  /** Extra header fields, e.g. `allow` on a 405. */
  headers?: Record<string, string>;
}

const utf8 = new TextEncoder();

/**
 * The response's bytes: status line, fields, and the body unless `headOnly` (a HEAD request).
 *
 * @example
 * ```ts
 * encodeReply({ status: 200, body: "ok\n" }, { keepAlive: true, headOnly: false });
 * ```
 */
export function encodeReply(
  reply: Reply,
  opts: { keepAlive: boolean; headOnly: boolean },
): Uint8Array {
  const body = utf8.encode(reply.body);
  const fields = {
    "content-type": reply.contentType ?? "text/plain; charset=utf-8",
    "content-length": String(body.length),
    "connection": opts.keepAlive ? "keep-alive" : "close",
    ...reply.headers,
  };
  const head = `HTTP/1.1 ${reply.status} ${REASONS[reply.status] ?? "Unknown"}\r\n` +
    Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  const headBytes = utf8.encode(head);
  if (opts.headOnly) return headBytes;
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}
