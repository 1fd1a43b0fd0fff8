/**
 * What the dashboard's tests share (tests/grafana_test.ts, tests/grafana_audience_test.ts): the
 * parts of hls-swarm.json they read, a real Prometheus scraping a run every second, running a
 * set of the dashboard's queries against it as Grafana would send them, and the slow upstream
 * that gives grafana_test's TTFB histogram something to measure.
 * @module
 */
import { assert } from "../src/testing/assert.ts";
import { startPrometheus } from "./prometheus.ts";
import { ROOT } from "./helpers.ts";

export const DIR = `${ROOT}deploy/grafana`;

export interface Target {
  refId: string;
  expr: string;
  instant?: boolean;
  datasource?: { type?: string; uid?: string };
}
interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface GPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos: GridPos;
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string } };
  panels?: GPanel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
export interface GDashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: Variable[] };
  panels: GPanel[];
}

export const readDashboard = async (): Promise<GDashboard> =>
  JSON.parse(await Deno.readTextFile(`${DIR}/hls-swarm.json`));

/** Grafana's own variables the queries may use. */
export const BUILT_INS = ["__rate_interval", "__interval", "__range"];

/**
 * Queries of families a run has only with an audience plan (`--stages`, `--session-duration`),
 * a `--variant-mix` or `--resolve`, and the rest of the audience's (a mean session length needs
 * sessions that ended): tests/grafana_audience_test.ts runs these, tests/grafana_test.ts the
 * others, so together they run every query of the dashboard.
 */
export const AUDIENCE_QUERY = /\bhlsswarm_(audience|rendition|edge_address)_/;

/** `expr` with `$name` and `${name}` replaced from `vars`; fails on any variable left. */
export function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (m, name: string) => {
    if (!(name in vars)) throw new Error(`unknown variable ${m} in ${expr}`);
    return vars[name];
  });
}

/**
 * The origin's files, each segment answered after 100 to 200 ms (uniform): a TTFB that is the
 * origin's rather than the pipe's, spread over six histogram buckets, so a few hundred samples
 * fill each bucket evenly and bucket interpolation is fair to the summary's percentiles.
 * Segments are `no-store`, so the edge in front passes every one through (all misses) and the
 * segment TTFB stays the upstream's, up to 4 of them in a row: the edge's proxy_cache_lock holds
 * the clients' requests for one segment until the one before them is answered, and a no-store
 * answer serves none of them. Playlists are cached for 1 s, giving hits and misses. nginx
 * sends no `Age` of its own, so segments carry the upstream's (seconds since the file was
 * written), as a CDN's edge would report how long it has held them.
 */
export function startSlowUpstream(root: string) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const segment = path.endsWith(".ts");
    if (segment) await new Promise((r) => setTimeout(r, 100 + 100 * Math.random()));
    try {
      const body = await Deno.readFile(`${root}${path}`);
      if (!segment) {
        return new Response(body, { headers: { "content-type": "application/vnd.apple.mpegurl" } });
      }
      const written = (await Deno.stat(`${root}${path}`)).mtime?.getTime() ?? Date.now();
      const age = String(Math.max(0, Math.floor((Date.now() - written) / 1000)));
      return new Response(body, {
        headers: { "content-type": "video/mp2t", "cache-control": "no-store", age },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

/** A real Prometheus scraping `scrape` every second, with the helpers these tests need. */
export async function startGrafanaPrometheus(name: string, scrape: Record<string, unknown>) {
  const dir = await Deno.makeTempDir({ prefix: `hls-swarm-grafana-${name}-` });
  const prometheus = await startPrometheus(dir, {
    global: { scrape_interval: "1s" },
    scrape_configs: [scrape],
  });
  const { api } = prometheus;
  return {
    name,
    api,
    /** Series with at least one finite value. */
    async count(expr: string, t: Target, range: { start: number; end: number }) {
      const data = t.instant
        ? await api("query", { query: expr, time: range.end })
        : await api("query_range", { query: expr, start: range.start, end: range.end, step: 1 });
      return data.result.filter((r) =>
        (r.values ?? [r.value!]).some(([, v]) => Number.isFinite(Number(v)))
      ).length;
    },
    /** The run's first and last scrape, as Prometheus stored them. */
    async span(runId: string, startedSec: number) {
      const stored = await api("query_range", {
        query: `timestamp(hlsswarm_info{run_id="${runId}"})`,
        start: Math.floor(startedSec),
        end: Math.ceil(Date.now() / 1000),
        step: 1,
      });
      const ts = stored.result.flatMap((r) => r.values!.map(([, v]) => Number(v)));
      assert(ts.length, `Prometheus holds no scrape of run ${runId}`);
      return { start: Math.min(...ts), end: Math.max(...ts) };
    },
    async stop() {
      await prometheus.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
export type GrafanaPrometheus = Awaited<ReturnType<typeof startGrafanaPrometheus>>;

/**
 * Runs every query of `panels` that `wanted` keeps, once per pass (a Prometheus and a `$shard`
 * value), with `vars` for the other variables: a line per row and panel with the series each
 * query returned per pass, and the queries that returned none.
 */
export async function runQueries(
  panels: GPanel[],
  wanted: (t: Target) => boolean,
  passes: { p: GrafanaPrometheus; shard: string }[],
  vars: Record<string, string>,
  span: { start: number; end: number },
): Promise<{ lines: string[]; empty: string[]; ran: number }> {
  const lines: string[] = [], empty: string[] = [];
  let ran = 0, row = "";
  for (const panel of panels) {
    if (panel.type === "row") {
      row = panel.title;
      continue;
    }
    const cells: string[] = [];
    for (const t of panel.targets!.filter(wanted)) {
      const counts: number[] = [];
      for (const { p, shard } of passes) {
        const n = await p.count(substitute(t.expr, { ...vars, shard }), t, span);
        counts.push(n);
        if (n === 0) empty.push(`${panel.title} ${t.refId} (${p.name}, shard=~"${shard}")`);
      }
      ran++;
      cells.push(`${t.refId} ${counts.join("/")}`);
    }
    if (cells.length) {
      // A row's title goes above its first panel that ran a query.
      if (row) lines.push(`== ${row}`);
      row = "";
      const instant = panel.targets!.some((t) => t.instant) ? " [instant]" : "";
      lines.push(`${panel.title}${instant}: ${cells.join(", ")}`);
    }
  }
  return { lines, empty, ran };
}
