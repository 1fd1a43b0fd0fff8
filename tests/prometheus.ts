/**
 * A real Prometheus (the Debian package) for tests: the given configuration in its own
 * directory, storage there, a free loopback port, and ready before it is returned.
 * @module
 */
import { toYaml } from "../src/k8s/yaml.ts";
import { freePort, waitFor } from "./helpers.ts";

/** One series of an instant query, or of a range query (`values`). */
export interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** A running Prometheus. */
export interface Prometheus {
  port: number;
  /** GET /api/v1/`path`: the `data` of a successful answer; anything else throws. */
  api<T = { result: PromResult[] }>(
    path: string,
    params: Record<string, string | number>,
  ): Promise<T>;
  /** An instant query's series, at `timeSec` (default: now). */
  query(expr: string, timeSec?: number): Promise<PromResult[]>;
  stop(): Promise<void>;
}

/**
 * Writes `config` as `dir/prometheus.yml` and runs Prometheus on it until stopped.
 *
 * @example Not run: it starts Prometheus
 * ```ts ignore
 * const prom = await startPrometheus(dir, { scrape_configs: [job] });
 * const up = await prom.query("up");
 * await prom.stop();
 * ```
 */
export async function startPrometheus(
  dir: string,
  config: Record<string, unknown>,
): Promise<Prometheus> {
  const port = freePort();
  await Deno.writeTextFile(`${dir}/prometheus.yml`, toYaml(config));
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const api = async <T = { result: PromResult[] }>(
    path: string,
    params: Record<string, string | number>,
  ): Promise<T> => {
    const url = new URL(`http://127.0.0.1:${port}/api/v1/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const body = await (await fetch(url)).json();
    if (body.status !== "success") throw new Error(`${path} ${url.search}: ${body.error}`);
    return body.data as T;
  };
  const prometheus: Prometheus = {
    port,
    api,
    query: async (expr, timeSec) =>
      (await api("query", timeSec === undefined ? { query: expr } : { query: expr, time: timeSec }))
        .result,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
  try {
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.text(), () => ""))
          .includes("Ready"),
      20_000,
      `prometheus in ${dir} ready`,
    );
  } catch (e) {
    await prometheus.stop();
    throw e;
  }
  return prometheus;
}
