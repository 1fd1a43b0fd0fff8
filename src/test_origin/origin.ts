/**
 * Starting and stopping the built-in test origin: generator + HTTP server + access log.
 *
 * @module
 */

import { type AccessLogEntry, type AccessLogSink, openAccessLog } from "./access_log.ts";
import {
  buildGeneratorArgs,
  entryPlaylistPath,
  type Generator,
  mediaPlaylistPaths,
  startGenerator,
} from "./generator.ts";
import { urlHost } from "../net/url_host.ts";
import { runCommand } from "../process/command_runner.ts";
import {
  createProcessSpawner,
  detectDeathSignalWrapper,
  type ExitStatus,
} from "../process/spawner.ts";
import { type OriginOptions, validateOriginOptions } from "./options.ts";
import { StreamNotReadyError, waitForStreamReady } from "./readiness.ts";
import { createOriginHandler } from "./server.ts";
import { FaultPlan } from "./faults.ts";

/** Segments each playlist must list before the origin reports ready. */
const READY_MIN_SEGMENTS = 2;
/** How long the generator gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3000;

/** Optional collaborators of {@linkcode startOrigin}; all have sensible defaults. */
export interface OriginDeps {
  /** Uniform random numbers in [0, 1) for fault injection (default `Math.random`). */
  random?: () => number;
  /** Receives lifecycle messages and failures (default: one line on stderr). */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Receives every access log entry, in addition to the access log file. */
  onAccess?: (entry: AccessLogEntry) => void;
  /** Aborting it cancels a start in progress (the promise rejects) or closes a running origin. */
  signal?: AbortSignal;
}

/** A started origin, serving a live stream. */
export interface RunningOrigin {
  /** URL to hand to viewers: the media playlist, or the master playlist with `abr`. */
  url: string;
  /** `http://host:port` without a trailing slash. */
  baseUrl: string;
  /** Port actually listened on (useful with port 0). */
  port: number;
  /** Directory the stream is written to and served from. */
  dir: string;
  /** Path of the access log file. */
  accessLogPath: string;
  /** Process id (and process group id) of the FFmpeg generator. */
  generatorPid: number;
  /** Stops the generator, closes the server and removes a temp dir we created. Idempotent. */
  close(): Promise<void>;
  /** Resolves after `close()`; rejects, after cleaning up, if the generator dies unexpectedly. */
  finished: Promise<void>;
}

/**
 * Starts the generator and the HTTP server, and resolves once the stream is playable (the
 * entry playlist exists and each media playlist lists 2 segments). On failure everything
 * started so far is stopped and removed again, and the error carries FFmpeg's last stderr lines.
 *
 * @example
 * ```ts
 * import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "./mod.ts";
 * const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
 * try {
 *   const res = await fetch(origin.url);
 *   console.log(res.status, await res.text());
 * } finally {
 *   await origin.close();
 * }
 * ```
 */
export async function startOrigin(
  opts: OriginOptions,
  deps: OriginDeps = {},
): Promise<RunningOrigin> {
  validateOriginOptions(opts);
  deps.signal?.throwIfAborted();
  const log = deps.log ?? logToStderr;
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "hls-swarm-origin-" });
  const accessLogPath = opts.accessLogPath ?? `${dir}/access.log`;

  let accessLog: AccessLogSink | undefined;
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let generator: Generator | undefined;
  const faults = new FaultPlan(opts.faults);
  // Undoes whatever has been started so far, in reverse order.
  const release = async (): Promise<void> => {
    try {
      await generator?.stop(STOP_GRACE_MS);
      await server?.shutdown();
    } finally {
      accessLog?.close();
      if (ownsDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  };

  try {
    if (!ownsDir) {
      await Deno.mkdir(dir, { recursive: true });
      // Playlists left by an earlier run would make a not-yet-started stream look ready.
      for (const playlist of [entryPlaylistPath(opts), ...mediaPlaylistPaths(opts)]) {
        await Deno.remove(`${dir}/${playlist}`).catch(() => {});
      }
    }
    accessLog = await openAccessLog(accessLogPath, deps.onAccess);
    const sink = accessLog;
    const handler = createOriginHandler({
      dir,
      failRate: opts.failRate,
      failStatus: opts.failStatus,
      random: deps.random ?? Math.random,
      faults: { plan: faults, now: () => performance.now() },
    }, (entry) => sink.write(entry));
    server = listen(opts, handler, log);

    const deathSignal = await detectDeathSignalWrapper(runCommand);
    log("origin starting", { dir, port: server.addr.port, setpriv: deathSignal });
    const started = startGenerator(
      createProcessSpawner({ deathSignal }),
      opts.ffmpegPath,
      buildGeneratorArgs(opts, dir),
    );
    generator = started;
    await waitForStreamReady({
      dir,
      entryPlaylist: entryPlaylistPath(opts),
      mediaPlaylists: mediaPlaylistPaths(opts),
      minSegments: READY_MIN_SEGMENTS,
      timeoutMs: 10_000 + opts.segmentSeconds * 5_000,
      failure: () => {
        const status = started.exitStatus();
        if (status === undefined) return undefined;
        return new Error(
          `origin: FFmpeg generator (${JSON.stringify(opts.ffmpegPath)}) exited with ` +
            `${describeStatus(status)} before the stream was ready${
              formatStderr(started.stderrTail())
            }`,
        );
      },
      signal: deps.signal,
    }).catch((error: unknown) => {
      if (!(error instanceof StreamNotReadyError)) throw error;
      throw new Error(`origin: ${error.message}${formatStderr(started.stderrTail())}`, {
        cause: error,
      });
    });
  } catch (error) {
    await release();
    throw error;
  }

  const runningGenerator = generator;
  faults.markReady(performance.now());
  const port = server.addr.port;
  const baseUrl = `http://${urlHost(opts.host)}:${port}`;
  const finished = Promise.withResolvers<void>();
  // Failures also go to `log`; a caller that never awaits `finished` must not crash on them.
  finished.promise.catch(() => {});
  let closing: Promise<void> | undefined;
  const shutdown = (failure?: Error): Promise<void> => {
    closing ??= (async () => {
      deps.signal?.removeEventListener("abort", onAbort);
      try {
        await release();
      } finally {
        if (failure === undefined) finished.resolve();
        else finished.reject(failure);
      }
      log("origin closed", { dir });
    })();
    return closing;
  };
  const onAbort = (): void => void shutdown().catch(() => {});
  deps.signal?.addEventListener("abort", onAbort, { once: true });

  runningGenerator.exited.then((status) => {
    if (closing !== undefined) return;
    const stderr = runningGenerator.stderrTail();
    log("origin generator exited unexpectedly", { status: describeStatus(status), stderr });
    void shutdown(
      new Error(
        `origin: FFmpeg generator exited unexpectedly with ${describeStatus(status)}${
          formatStderr(stderr)
        }`,
      ),
    ).catch(() => {});
  });

  const url = `${baseUrl}/${entryPlaylistPath(opts)}`;
  log("origin ready", { url, dir, accessLogPath, generatorPid: runningGenerator.pid });
  if (deps.signal?.aborted) onAbort();
  return {
    url,
    baseUrl,
    port,
    dir,
    accessLogPath,
    generatorPid: runningGenerator.pid,
    close: () => shutdown(),
    finished: finished.promise,
  };
}

/** Starts `Deno.serve`, turning a busy port into a clear error. */
function listen(
  opts: OriginOptions,
  handler: (request: Request) => Promise<Response>,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({
      hostname: opts.host,
      port: opts.port,
      onListen: () => {},
      onError: (error) => {
        log("origin request failed", { error: String(error) });
        return new Response("internal error\n", { status: 500 });
      },
    }, handler);
  } catch (error) {
    const reason = error instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`origin: cannot listen on ${opts.host}:${opts.port}: ${reason}`, {
      cause: error,
    });
  }
}

function describeStatus(status: ExitStatus): string {
  return status.signal === null ? `code ${status.code}` : `signal ${status.signal}`;
}

function formatStderr(lines: string[]): string {
  if (lines.length === 0) return " (FFmpeg wrote nothing to stderr)";
  return `; FFmpeg's last stderr lines:\n  ${lines.join("\n  ")}`;
}

function logToStderr(msg: string, fields?: Record<string, unknown>): void {
  console.error(fields === undefined ? msg : `${msg} ${JSON.stringify(fields)}`);
}
