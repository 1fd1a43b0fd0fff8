/**
 * The HTTP endpoint: `/metrics` (Prometheus text), `/health` (the process is alive) and
 * `/ready` (metrics are flowing: at least one client is running).
 * @module
 */
import { CONTENT_TYPE } from "./exposition.ts";

/** A listening metrics server. */
export interface MetricsServer {
  /** The address actually bound (port 0 resolves to a real port). */
  hostname: string;
  port: number;
  close(): Promise<void>;
}

/** The listen address is taken or otherwise unusable: a fatal start-up error. */
export class MetricsListenError extends Error {
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
): MetricsServer {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: addr.hostname,
      port: addr.port,
      onListen: () => {},
    }, async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/metrics") {
        return new Response(await scrape(), { headers: { "content-type": CONTENT_TYPE } });
      }
      if (path === "/health" || path === "/healthz") return new Response("ok\n");
      if (path === "/ready" || path === "/readyz") {
        return ready()
          ? new Response("ready\n")
          : new Response("not ready: no client running yet\n", { status: 503 });
      }
      return new Response("not found\n", { status: 404 });
    });
  } catch (e) {
    throw new MetricsListenError(`${addr.hostname}:${addr.port}`, e);
  }
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}
