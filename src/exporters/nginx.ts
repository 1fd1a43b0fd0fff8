/**
 * nginx-prometheus-exporter maths, pure: connections by state, and the request rate between
 * two scrapes of nginx_http_requests_total.
 * @module
 */
import { single } from "./node.ts";
import type { PromParseResult } from "./prom_text.ts";

/** nginx state from nginx-prometheus-exporter; a field is null when never obtained. */
export interface OriginNginx {
  /** nginx_up: whether the exporter could read nginx's stub_status. */
  up: boolean | null;
  activeConnections: number | null;
  reading: number | null;
  writing: number | null;
  waiting: number | null;
  /** From nginx_http_requests_total over the latest interval. */
  requestsPerSecond: number | null;
}

/** What the scraper keeps between nginx scrapes. */
export interface NginxState extends OriginNginx {
  /** The latest nginx_http_requests_total and when it was read. */
  lastRequests: { at: number; total: number } | null;
}

/**
 * Applies one exporter scrape to the previous state (null at first). Values nginx did not
 * report keep their last reading (the state stays null until an nginx_up is seen). `error` says why the scrape counts as failed: the text has
 * no nginx_up (a wrong URL), or nginx_up is 0 (the exporter cannot read nginx).
 *
 * @example
 * ```ts
 * import { parsePromText } from "./prom_text.ts";
 * const text = "nginx_up 1\nnginx_connections_active 3\nnginx_http_requests_total 120\n";
 * const { state, error } = readNginx(parsePromText(text), null, performance.now());
 * state?.activeConnections; // 3 (and no error)
 * ```
 */
export function readNginx(
  parsed: PromParseResult,
  prev: NginxState | null,
  at: number,
): { state: NginxState | null; error?: string } {
  const { families } = parsed;
  const up = single(families.get("nginx_up"));
  if (up === null) {
    return { state: prev, error: "no nginx_up metric: is this URL an nginx-prometheus-exporter?" };
  }
  const state: NginxState = prev ? { ...prev } : {
    up: null,
    activeConnections: null,
    reading: null,
    writing: null,
    waiting: null,
    requestsPerSecond: null,
    lastRequests: null,
  };
  state.up = up === 1;
  if (!state.up) {
    // The exporter answers, but nginx does not: keep nginx's last values, and say why.
    return { state, error: "nginx_up is 0: the exporter cannot read nginx's stub_status" };
  }
  state.activeConnections = single(families.get("nginx_connections_active")) ??
    state.activeConnections;
  state.reading = single(families.get("nginx_connections_reading")) ?? state.reading;
  state.writing = single(families.get("nginx_connections_writing")) ?? state.writing;
  state.waiting = single(families.get("nginx_connections_waiting")) ?? state.waiting;

  const total = single(families.get("nginx_http_requests_total"));
  if (total === null) return { state };
  const before = state.lastRequests;
  state.lastRequests = { at, total };
  if (!before || !(at > before.at)) return { state };
  // A smaller total means nginx restarted: like Prometheus, count the new total as the
  // increase (a stub_status counter starts from 0 with the master process).
  const delta = total >= before.total ? total - before.total : total;
  state.requestsPerSecond = delta / ((at - before.at) / 1000);
  return { state };
}

/**
 * The figures of a state, without the bookkeeping.
 *
 * @example
 * ```ts
 * import { parsePromText } from "./prom_text.ts";
 * const { state } = readNginx(parsePromText("nginx_up 1\nnginx_connections_active 3\n"), null, 0);
 * nginxView(state!).activeConnections; // 3
 * ```
 */
export function nginxView(state: NginxState): OriginNginx {
  const { lastRequests: _, ...view } = state;
  return view;
}
