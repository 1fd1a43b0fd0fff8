/**
 * The dashboard's part of a run: whether to show it, the log file that takes the logs while it
 * owns the terminal, and a logger that also shows the dashboard the last warning.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import { type Redactor, redactorFor } from "../secrets/redact.ts";
import {
  createLogger,
  type FileSink,
  fileSink,
  type LogFields,
  type Logger,
} from "../log/logger.ts";
import { Dashboard, type TerminalIo } from "./dashboard.ts";
import { DashboardModelBuilder, type OriginPanel, type SwarmView } from "./model.ts";
import { originPanelOf } from "./origin_panel.ts";
import { denoTerminal } from "./terminal.ts";

/**
 * Whether a run shows the dashboard. `--tui` and `--tui=false` decide; by default it is on when
 * stdout is a terminal, except with `--check`, whose point is the debug log on screen.
 *
 * @example
 * ```ts
 * dashboardWanted({ tui: null, check: false }, true); // true
 * dashboardWanted({ tui: false, check: false }, true); // false
 * ```
 */
export function dashboardWanted(
  config: Pick<SwarmConfig, "tui" | "check">,
  stdoutIsTerminal: boolean,
): boolean {
  if (config.tui !== null) return config.tui && stdoutIsTerminal;
  return stdoutIsTerminal && !config.check;
}

/**
 * Whether colour is allowed: off when `NO_COLOR` is set and not empty (no-color.org) or the
 * terminal is `dumb`.
 *
 * @example
 * ```ts
 * colorAllowed({ NO_COLOR: "1" }); // false
 * ```
 */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR && env.TERM !== "dumb";
}

/**
 * The log file name of a run started at `wallMs` (local time): `hls-swarm-YYYYMMDD-HHMMSS.log`.
 *
 * @example
 * ```ts
 * dashboardLogName(new Date(2025, 0, 2, 3, 4, 5).getTime()); // "hls-swarm-20250102-030405.log"
 * ```
 */
export function dashboardLogName(wallMs: number): string {
  const d = new Date(wallMs);
  const p = (n: number) => String(n).padStart(2, "0");
  return `hls-swarm-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-` +
    `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.log`;
}

/** An open dashboard log: where it is, and its sink. */
export interface DashboardLog {
  path: string;
  file: FileSink;
}

/**
 * Creates the log file in the first directory of `dirs` that takes it. A name already taken
 * (two runs in one second) gets a `-2`, `-3`… suffix instead of mixing two runs in one file.
 * Throws, naming every directory tried, when none works.
 *
 * @example
 * ```ts
 * // The dashboard passes [Deno.cwd(), "/tmp"]; a directory it cannot write is skipped.
 * const dir = await Deno.makeTempDir();
 * const log = openDashboardLog(new Date(2025, 0, 2, 3, 4, 5).getTime(), ["/nonexistent", dir]);
 * log.path; // `${dir}/hls-swarm-20250102-030405.log`
 * log.file.close();
 * ```
 */
export function openDashboardLog(wallMs: number, dirs: readonly string[]): DashboardLog {
  const base = dashboardLogName(wallMs).slice(0, -".log".length);
  const failures: string[] = [];
  for (const dir of dirs) {
    for (let n = 1; n <= 20; n++) {
      const path = `${dir.replace(/\/+$/, "")}/${base}${n > 1 ? `-${n}` : ""}.log`;
      try {
        return { path, file: fileSink(path) };
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) continue;
        failures.push(`${dir}: ${(e as Error).message}`);
        break;
      }
    }
  }
  throw new Error(`cannot create a log file (${failures.join("; ") || "all names taken"})`);
}

/** The short text of a log record for the footer: `12:00:01 client_exited client_id=3 …`. */
function oneLine(wallMs: number, msg: string, fields: LogFields): string {
  const time = new Date(wallMs).toTimeString().slice(0, 8);
  const parts = [time, msg];
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) continue; // stderr tails are in the log file
    parts.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return parts.join(" ");
}

/** How the session's dashboard is wired to a run. */
export interface DashboardStartOptions {
  /** q, Esc or Ctrl+C: the graceful shutdown, as on SIGTERM. */
  onQuit(): void;
  /** Ctrl+C once more: kill every FFmpeg now. */
  onForceQuit(): void;
  /** The origin scraper's latest reading; leave it out when no scraper runs (panel hidden). */
  origin?: () => OriginPanel | null;
  /** The terminal; the process's own by default. */
  io?: TerminalIo;
  /** Where to say, once the screen is back, that the dashboard broke (the run goes on). */
  stderr?: (text: string) => void;
}

/**
 * One run's dashboard, its log file and its logger. Open it before the swarm is built (the
 * swarm logs through {@linkcode DashboardSession.log}), {@linkcode DashboardSession.start} it
 * with the swarm, and wrap the run in {@linkcode DashboardSession.guard}, which gives the
 * terminal back before anything else is printed.
 *
 * @example Not run: it runs a swarm under the dashboard
 * ```ts ignore
 * const tui = DashboardSession.open(config, Deno.env.toObject());
 * const swarm = new Swarm(config, { ...deps, log: tui.log, progressLogMs: 0 });
 * tui.start(swarm, { onQuit: () => swarm.stop("quit"), onForceQuit: () => swarm.forceStop("kill") });
 * const summary = await tui.guard(swarm.run(), (text) => console.error(text));
 * ```
 */
export class DashboardSession {
  /** Logs of the run: they go to the log file while the dashboard is up. */
  readonly log: Logger;
  #lastWarning: string | null = null;
  readonly #redactor: Redactor;
  #dashboard: Dashboard | null = null;
  #closed = false;

  /**
   * Opens the log file in the current directory, or in `$TMPDIR` (or /tmp) when that fails.
   * Throws when no directory takes it.
   */
  static open(
    config: SwarmConfig,
    env: Readonly<Record<string, string | undefined>>,
  ): DashboardSession {
    let cwd: string | null = null;
    try {
      cwd = Deno.cwd();
    } catch {
      // The working directory was removed; $TMPDIR still works.
    }
    const dirs = [...(cwd ? [cwd] : []), env.TMPDIR || "/tmp"];
    return new DashboardSession(config, env, openDashboardLog(Date.now(), dirs), cwd);
  }

  /** Where the logs go (absolute). */
  readonly logPath: string;

  constructor(
    private config: SwarmConfig,
    private env: Readonly<Record<string, string | undefined>>,
    private logFile: DashboardLog,
    private cwd: string | null = null,
    private now: () => number = () => performance.now(),
  ) {
    this.logPath = logFile.path;
    this.#redactor = redactorFor(config);
    const inner = createLogger({
      // A file is not a terminal: JSON, as on a piped stderr, unless --log-format says otherwise.
      format: config.logFormat ?? "json",
      level: config.logLevel,
      sink: logFile.file.sink,
      redact: this.#redactor,
    });
    // Warnings and errors also show in the footer, so nothing alarming hides in the file.
    const observe = (msg: string, fields: LogFields = {}) => {
      this.#lastWarning = oneLine(Date.now(), msg, this.#redactor.value(fields));
    };
    this.log = {
      debug: (m, f) => inner.debug(m, f),
      info: (m, f) => inner.info(m, f),
      warn: (m, f) => {
        observe(m, f);
        inner.warn(m, f);
      },
      error: (m, f) => {
        observe(m, f);
        inner.error(m, f);
      },
      enabled: (level) => inner.enabled(level),
    };
  }

  /**
   * Takes over the terminal and shows `swarm`. With `--origin-metrics`/`--nginx-metrics`, the
   * origin panel reads the swarm's scraper (once the run has created it).
   */
  start(
    swarm: SwarmView & {
      readonly origin?: { snapshot(): ExporterSnapshot } | null;
      readonly rampStartedAt: number | null;
      readonly stopReason: string | null;
    },
    opts: DashboardStartOptions,
  ): void {
    if (this.#dashboard || this.#closed) return;
    const io = opts.io ?? denoTerminal();
    const { config } = this;
    const origin = opts.origin ??
      (config.originMetrics
        ? () => (swarm.origin ? originPanelOf(swarm.origin.snapshot()) : null)
        : undefined);
    const shownPath = this.cwd && this.logPath.startsWith(`${this.cwd}/`)
      ? this.logPath.slice(this.cwd.length + 1)
      : this.logPath;
    const builder = new DashboardModelBuilder({
      swarm,
      target: this.#redactor.text(config.streamUrl),
      durationMs: config.durationMs,
      rampRate: config.rampRate,
      stats: config.stats,
      statsLogLevel: config.statsLogLevel,
      logPath: shownPath,
      keys: io.keys !== null,
      runStartedAt: () => swarm.rampStartedAt,
      stopReason: () => swarm.stopReason,
      lastWarning: () => this.#lastWarning,
      origin,
      stages: config.stages,
      shards: config.shard?.count,
    });
    this.#dashboard = new Dashboard({
      io,
      model: (rows) => builder.build(this.now(), rows),
      color: colorAllowed(this.env),
      onQuit: opts.onQuit,
      onForceQuit: opts.onForceQuit,
      onError: (e) => {
        this.log.error("dashboard_failed", { error: e instanceof Error ? e.stack : String(e) });
        opts.stderr?.(
          `hls-swarm: the dashboard failed (${e instanceof Error ? e.message : e}); the run ` +
            `goes on without it, logs in ${this.logPath}\n`,
        );
      },
    });
    this.#dashboard.start();
  }

  /** Gives the terminal back and closes the log file (idempotent); `stderr` learns where it is. */
  close(stderr: (text: string) => void): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dashboard?.stop();
    this.logFile.file.close();
    stderr(`hls-swarm: the run's log is in ${this.logPath}\n`);
  }

  /**
   * Awaits `run`, then closes the session before anything else is printed, whatever the outcome.
   * An error is logged to the file first, and still reaches the user: the rejection propagates
   * once the screen is back, to be printed on the normal screen.
   */
  async guard<T>(run: Promise<T>, stderr: (text: string) => void): Promise<T> {
    try {
      return await run;
    } catch (e) {
      this.log.error("run_error", { error: e instanceof Error ? e.stack : String(e) });
      throw e;
    } finally {
      this.close(stderr);
    }
  }
}
