/**
 * The HTTP endpoint: `/metrics` (Prometheus text), `/health` (the process is alive) and
 * `/ready` (metrics are flowing: at least one client is running).
 *
 * It runs on the thread that reads FFmpeg's lines, so it must hold against a hostile or broken
 * client. Deno.serve has no header timeout and no connection cap (Deno 2.9: ServeTcpOptions
 * offers only a listen backlog), so this is its own small HTTP/1.1 server over Deno.listen:
 * - a connection must send its whole request head within `headerTimeoutMs` of being accepted
 *   (or of its previous response), else it is closed: a half-sent head cannot hold a slot;
 * - at most `maxConnections` at once; one more closes the longest-idle keep-alive connection,
 *   or if every one is mid-request (a head half-sent counts), gets a 503 and is closed;
 * - a response that the client does not read within `writeTimeoutMs` closes the connection;
 * - the scrape is built at most once per `cacheMs` ({@link ./scrape_cache.ts}), so a flood of
 *   scrapes costs one build a second.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";
import { CONTENT_TYPE } from "./exposition.ts";
import {
  encodeReply,
  hasBody,
  parseRequestHead,
  readHead,
  type Reply,
  type RequestHead,
  wantsKeepAlive,
} from "./http1.ts";
import { cachedScrape } from "./scrape_cache.ts";

/** A listening metrics server. */
export interface MetricsServer {
  /** The address actually bound (port 0 resolves to a real port). */
  hostname: string;
  port: number;
  close(): Promise<void>;
}

/** How much one client may hold. */
export interface MetricsServerLimits {
  /** A request head (request line and fields) must arrive whole within this. */
  headerTimeoutMs: number;
  /** Connections at once; past it the longest-idle keep-alive one is closed, or if none, a 503. */
  maxConnections: number;
  /** Bytes of a request head; more is answered 431 and closed. */
  maxHeadBytes: number;
  /** A response must be taken by the client within this. */
  writeTimeoutMs: number;
  /** A scrape is reused for this long after its build started. */
  cacheMs: number;
}

/** The defaults: generous for Prometheus (one connection, a scrape every few seconds). */
export const METRICS_SERVER_LIMITS: MetricsServerLimits = {
  headerTimeoutMs: 10_000,
  maxConnections: 64,
  maxHeadBytes: 16_384,
  writeTimeoutMs: 10_000,
  cacheMs: 1_000,
};

/** The listen address is taken or otherwise unusable: a fatal start-up error. */
export class MetricsListenError extends ExitError {
  readonly exitCode = EXIT.failure;
  constructor(addr: string, cause: unknown) {
    const reason = cause instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : String(cause instanceof Error ? cause.message : cause);
    super(
      `cannot serve metrics on ${addr}: ${reason} (choose another with --metrics HOST:PORT, ` +
        "or --metrics off)",
    );
    this.name = "MetricsListenError";
  }
}

type Route = (ctx: { scrape(): Promise<string>; ready(): boolean }) => Promise<Reply> | Reply;

const ROUTES: Record<string, Route> = {
  "/metrics": async ({ scrape }) => {
    try {
      return { status: 200, body: await scrape(), contentType: CONTENT_TYPE };
    } catch {
      // The cause stays out of the answer: it is nothing a scraper can act on.
      return { status: 500, body: "scrape failed\n" };
    }
  },
  "/health": () => ({ status: 200, body: "ok\n" }),
  "/healthz": () => ({ status: 200, body: "ok\n" }),
  "/ready": ({ ready }) => readiness(ready()),
  "/readyz": ({ ready }) => readiness(ready()),
};

function readiness(ready: boolean): Reply {
  return ready
    ? { status: 200, body: "ready\n" }
    : { status: 503, body: "not ready: no client running yet\n" };
}

/** Refused connections that may linger (up to a second each) per connection slot. */
const REFUSING_MAX_FACTOR = 4;

const BUSY = encodeReply(
  { status: 503, body: "too many connections\n", headers: { "retry-after": "1" } },
  { keepAlive: false, headOnly: false },
);

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed (a deadline or close() got there first).
  }
}

/** Runs `f`; if it takes longer than `ms`, the connection is closed, which ends `f` with an error. */
async function withDeadline<T>(conn: Deno.Conn, ms: number, f: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => closeQuietly(conn), ms);
  try {
    return await f();
  } finally {
    clearTimeout(timer);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

/**
 * Answers requests on one connection until it closes, breaks a rule, or misses a deadline.
 * Between requests (answered, waiting for the next head) the connection is in `idle`, where a
 * new connection that finds every slot taken may close it.
 */
async function serveConnection(
  conn: Deno.Conn,
  answer: (req: RequestHead) => Promise<Reply>,
  limits: MetricsServerLimits,
  idle: Set<Deno.Conn>,
): Promise<void> {
  let pending: Uint8Array = new Uint8Array(0);
  let answered = false;
  try {
    for (;;) {
      if (answered && pending.length === 0) idle.add(conn);
      const read = await withDeadline(
        conn,
        limits.headerTimeoutMs,
        () => readHead(conn, pending, limits.maxHeadBytes),
      ).finally(() => idle.delete(conn));
      if ("end" in read) {
        if (read.end === "too-large") {
          const reply = { status: 431, body: "request head too large\n" };
          await withDeadline(conn, limits.writeTimeoutMs, () => writeAll(conn, closing(reply)));
        }
        return;
      }
      pending = read.rest;
      const req = parseRequestHead(read.head);
      let reply: Reply;
      let keepAlive = false;
      if (typeof req === "string") reply = { status: 400, body: `${req}\n` };
      else if (hasBody(req)) reply = { status: 400, body: "request bodies are not accepted\n" };
      else {
        reply = await answer(req);
        keepAlive = wantsKeepAlive(req);
      }
      const bytes = encodeReply(reply, {
        keepAlive,
        headOnly: typeof req !== "string" && req.method === "HEAD",
      });
      await withDeadline(conn, limits.writeTimeoutMs, () => writeAll(conn, bytes));
      answered = true;
      if (!keepAlive) return;
    }
  } catch {
    // Reset by the peer, or closed by a deadline or by close(): there is no one to answer.
  } finally {
    closeQuietly(conn);
  }
}

function closing(reply: Reply): Uint8Array {
  return encodeReply(reply, { keepAlive: false, headOnly: false });
}

/**
 * 503 to a connection over the cap, once its client has sent something (an HTTP client that gets
 * an answer before it has asked drops it as garbage). Then our side shuts, and what else the
 * client sends is read and dropped until it closes: closing with its request unread would send a
 * reset that can destroy the 503 before the client reads it. All of it within a second; at most
 * `max` such connections at once, past that they are closed at once.
 */
function refuse(conn: Deno.Conn, lingering: Map<Deno.Conn, Promise<void>>, max: number): void {
  if (lingering.size >= max) return closeQuietly(conn);
  const timer = setTimeout(() => closeQuietly(conn), 1000);
  lingering.set(
    conn,
    (async () => {
      try {
        const sink = new Uint8Array(4096);
        if (await conn.read(sink) === null) return;
        await writeAll(conn, BUSY);
        await conn.closeWrite();
        while (await conn.read(sink) !== null) { /* drop */ }
      } catch {
        // Reset by the client, or closed by the timer or by close().
      } finally {
        clearTimeout(timer);
        lingering.delete(conn);
        closeQuietly(conn);
      }
    })(),
  );
}

/**
 * Serves `/metrics` from `scrape` (Prometheus text). Throws {@linkcode MetricsListenError} when
 * the address cannot be bound.
 *
 * @example
 * ```ts
 * const server = serveMetrics(() => Promise.resolve("up 1\n"), { hostname: "127.0.0.1", port: 0 }, () => true);
 * console.log(`http://127.0.0.1:${server.port}/metrics`);
 * await server.close();
 * ```
 */
export function serveMetrics(
  scrape: () => Promise<string>,
  addr: { hostname: string; port: number },
  ready: () => boolean,
  limits: Partial<MetricsServerLimits> = {},
): MetricsServer {
  const l: MetricsServerLimits = { ...METRICS_SERVER_LIMITS, ...limits };
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: addr.hostname, port: addr.port, transport: "tcp" });
  } catch (e) {
    throw new MetricsListenError(`${addr.hostname}:${addr.port}`, e);
  }
  const ctx = { scrape: cachedScrape(scrape, l.cacheMs), ready };
  const answer = async (req: RequestHead): Promise<Reply> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return { status: 405, body: "only GET and HEAD\n", headers: { allow: "GET, HEAD" } };
    }
    const route = ROUTES[req.path];
    return route ? await route(ctx) : { status: 404, body: "not found\n" };
  };
  const active = new Map<Deno.Conn, Promise<void>>();
  const lingering = new Map<Deno.Conn, Promise<void>>();
  const idle = new Set<Deno.Conn>();
  let closed = false;
  const accepting = (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closed || e instanceof Deno.errors.BadResource) return;
        // Out of file descriptors or the like: wait a little instead of spinning.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      // A full house makes room by closing the longest-idle keep-alive connection (its client
      // reconnects for its next request); only when every slot is mid-request is it a 503.
      const oldestIdle = idle.values().next();
      if (active.size >= l.maxConnections && !oldestIdle.done) {
        idle.delete(oldestIdle.value);
        closeQuietly(oldestIdle.value);
      } else if (active.size >= l.maxConnections) {
        refuse(conn, lingering, REFUSING_MAX_FACTOR * l.maxConnections);
        continue;
      }
      active.set(
        conn,
        serveConnection(conn, answer, l, idle).finally(() => active.delete(conn)),
      );
    }
  })();
  const bound = listener.addr as Deno.NetAddr;
  return {
    hostname: bound.hostname,
    port: bound.port,
    async close() {
      if (closed) return;
      closed = true;
      listener.close();
      for (const conn of [...active.keys(), ...lingering.keys()]) closeQuietly(conn);
      await accepting;
      await Promise.all([...active.values(), ...lingering.values()]);
    },
  };
}
