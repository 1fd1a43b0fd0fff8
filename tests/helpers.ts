/**
 * Shared pieces of the integration tests: a real nginx in front of a directory, hls-swarm run
 * as a real subprocess, and a scan for FFmpeg processes a test started.
 * @module
 */
import { parsePromText } from "../src/exporters/prom_text.ts";
import { classifyUrl } from "../src/parser/url_kind.ts";
import deployJson from "../nix/deploy.json" with { type: "json" };

/** The repository root, for running src/main.ts. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** A free TCP port on loopback (bound, then released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running nginx serving `root`, with an access log of `$request $status $bytes "$ua"`. */
export interface Nginx {
  port: number;
  accessLogPath: string;
  url(path: string): string;
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Extra nginx configuration, appended to the `http` and `server` blocks. */
export interface NginxExtra {
  http?: string;
  server?: string;
}

/**
 * The nginx configuration the tests use: foreground, everything under `dir`, `root` served on
 * `listen`, stub_status at /nginx_status, and `dir/access.log` as `$request $status $bytes "$ua"`.
 *
 * @example Not run: it needs an nginx work dir and a stream root
 * ```ts ignore
 * await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConf(dir, root, "127.0.0.1:8080"));
 * ```
 */
export function nginxConf(
  dir: string,
  root: string,
  listen: string,
  extra: NginxExtra = {},
): string {
  return `${Deno.uid() === 0 ? "user root;" : ""}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  default_type application/octet-stream;
  log_format swarm '$request $status $body_bytes_sent "$http_user_agent"';
  access_log ${dir}/access.log swarm;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 65;
  keepalive_requests 10000;
  ${extra.http ?? ""}
  server {
    listen ${listen};
    root ${root};
    location /nginx_status { stub_status; }
    ${extra.server ?? ""}
  }
}
`;
}

/** What nginx served to some user agents, from its `swarm` access log. */
export interface Served {
  manifest: number;
  segment: number;
  /** Body bytes of 2xx answers: manifests, segments, and of every kind. */
  bytes: { manifest: number; segment: number; all: number };
}

/**
 * Tallies nginx's `$request $status $body_bytes_sent "$ua"` lines whose user agent starts with
 * `agentPrefix` (`${agent}/client-`: one test's clients; "": everyone).
 *
 * @example Not run: it reads a running nginx's access log
 * ```ts ignore
 * const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
 * ```
 */
export function tallyAccessLog(lines: readonly string[], agentPrefix: string): Served {
  const out = { manifest: 0, segment: 0, bytes: { manifest: 0, segment: 0, all: 0 } };
  for (const line of lines) {
    const m = /^\S+ (\S+) \S+ (\d+) (\d+) "([^"]*)"$/.exec(line);
    if (!m || !m[4].startsWith(agentPrefix)) continue;
    const kind = classifyUrl(m[1]);
    const ok = m[2].startsWith("2");
    if (ok) out.bytes.all += Number(m[3]);
    if (kind !== "manifest" && kind !== "segment") continue;
    out[kind]++;
    if (ok) out.bytes[kind] += Number(m[3]);
  }
  return out;
}

/**
 * Starts nginx (foreground, its own temp config) on `port` (default: a free one).
 *
 * @example Not run: it starts nginx
 * ```ts ignore
 * const nginx = await startNginx(dir, undefined, { server: "location ~ \\.ts$ { limit_rate 400k; }" });
 * await fetch(nginx.url("/stream.m3u8"));
 * await nginx.stop();
 * ```
 */
export async function startNginx(
  root: string,
  port = freePort(),
  extra: NginxExtra = {},
): Promise<Nginx> {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-nginx-" });
  const log = `${dir}/access.log`;
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(conf, nginxConf(dir, root, `127.0.0.1:${port}`, extra));
  let child: Deno.ChildProcess | null = null;
  const nginx: Nginx = {
    port,
    accessLogPath: log,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    accessLog: async () =>
      (await Deno.readTextFile(log).catch(() => "")).split("\n").filter(Boolean),
    async start() {
      child = new Deno.Command("nginx", {
        args: ["-c", conf, "-p", dir],
        stdout: "null",
        stderr: "null",
      }).spawn();
      for (let i = 0; i < 100; i++) {
        try {
          const res = await fetch(nginx.url("/nginx_status"));
          await res.body?.cancel();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`nginx did not start: ${await Deno.readTextFile(`${dir}/error.log`)}`);
    },
    async stop() {
      if (!child) return;
      child.kill("SIGTERM");
      await child.status;
      child = null;
    },
  };
  await nginx.start();
  return nginx;
}

/** Output of a finished hls-swarm subprocess. */
export interface SwarmRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr parsed as JSON log lines (non-JSON lines are skipped). */
  logs: Record<string, unknown>[];
}

/** Parses JSON log lines. */
export function parseLogs(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/**
 * How hls-swarm is run, as the package runs it: `deno run -A`, with the V8 flags of
 * nix/deploy.json (smaller young generation, earlier old-generation collections: 109 MiB instead
 * of 158 at 200 clients), then src/main.ts. Tests and benchmarks measure what ships.
 */
export const SWARM_ARGV: readonly string[] = [
  "run",
  "-A",
  ...deployJson.package.denoRunArgs.filter((a) => a.startsWith("--v8-flags=")),
  `${ROOT}src/main.ts`,
];

/**
 * Starts `hls-swarm args…` as a real process (stdout/stderr piped, no TTY).
 *
 * @example Not run: it runs hls-swarm with FFmpeg clients
 * ```ts ignore
 * const child = spawnSwarm(["--clients", "2", url]);
 * const run = await finishSwarm(child);
 * ```
 */
export function spawnSwarm(
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...SWARM_ARGV, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Waits for a spawned hls-swarm and collects its output. */
export async function finishSwarm(child: Deno.ChildProcess): Promise<SwarmRun> {
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr,
    logs: parseLogs(stderr),
  };
}

/** Runs hls-swarm to completion. */
export function runSwarm(args: string[], env: Record<string, string> = {}): Promise<SwarmRun> {
  return finishSwarm(spawnSwarm(args, env));
}

/**
 * Pids of live FFmpeg processes whose command line contains `marker` (a test's unique
 * User-Agent), found by scanning /proc. Zombies do not count: they have exited. With
 * `leadersOnly`, only process-group leaders count: one per client, since each client runs in
 * its own group, and a forked helper of a client is not counted twice.
 */
export async function ffmpegPids(marker: string, leadersOnly = false): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (!cmdline.includes(marker) || !cmdline.includes("ffmpeg")) continue;
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" || (leadersOnly && pgrp !== entry.name)) continue;
      pids.push(Number(entry.name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Waits until `count` clients with `marker` run (one process-group leader each). */
export function waitForClients(marker: string, count: number): Promise<void> {
  return waitFor(
    async () => (await ffmpegPids(marker, true)).length === count,
    20_000,
    `${count} clients`,
  );
}

/** A User-Agent base unique to one test, so process scans and logs never mix tests up. */
export function uniqueAgent(name: string): string {
  return `hls-swarm-test-${name}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A real Prometheus exporter (Debian package) run as a child on a free loopback port. */
export interface Exporter {
  url: string;
  stop(): Promise<void>;
}

export async function startExporter(
  command: string,
  args: (port: number) => string[],
): Promise<Exporter> {
  const port = freePort();
  const child = new Deno.Command(command, {
    args: args(port),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}/metrics`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
  };
  try {
    await waitFor(
      async () => {
        try {
          await (await fetch(url)).body?.cancel();
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      `${command} on port ${port}`,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

export function startNodeExporter(): Promise<Exporter> {
  return startExporter("prometheus-node-exporter", (port) => [
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

/** The nginx exporter reading `nginx`'s stub_status. */
export function startNginxExporter(nginx: Nginx): Promise<Exporter> {
  return startExporter("prometheus-nginx-exporter", (port) => [
    // Double-dash flags: Debian's 0.11 (Go flag) and 1.x (kingpin) both accept them.
    `--nginx.scrape-uri=${nginx.url("/nginx_status")}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

/**
 * The value of the first sample named `name` whose labels include `labels`, in Prometheus text
 * read with hls-swarm's own parser; undefined when there is none.
 *
 * @example Not run: it scrapes a running swarm's /metrics
 * ```ts ignore
 * metricValue(await scrape(port), "hlsswarm_requests_total", { kind: "segment" });
 * ```
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of parsePromText(text).families.values()) {
    for (const s of family.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
