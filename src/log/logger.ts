/**
 * Structured logs on stderr: one JSON object per line for machines, or `time level msg k=v` text
 * for people. Event names are snake_case words (`client_started`), fields are plain values.
 * @module
 */
import { writeTextSync } from "../io.ts";

/** How the log is written: JSON lines for machines, text for people (--log-format). */
export type LogFormat = "json" | "text";
/** The least severe level written (--log-level). */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to a log event. */
export type LogFields = Record<string, unknown>;

/** A leveled, structured logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether `level` would be written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
}

/** Where the log's formatted lines go; a line includes its trailing newline. (A client's output lines go to lines/transport.ts's RunSink.) */
export type LogSink = (line: string) => void;

/**
 * A sink that writes synchronously to stderr, so nothing is lost when the process exits right
 * after logging.
 *
 * @example
 * ```ts
 * const log = createLogger({ format: "text", level: "info", sink: stderrSink });
 * ```
 */
export const stderrSink: LogSink = (line) => writeTextSync(Deno.stderr, line);

/**
 * Creates a logger. `now` supplies the timestamp (wall-clock ms).
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = createLogger({ format: "json", level: "info", sink: (l) => lines.push(l) });
 * log.info("client_started", { client_id: 3 });
 * // {"time":"…","level":"info","msg":"client_started","client_id":3}
 * ```
 */
export function createLogger(opts: {
  format: LogFormat;
  level: LogLevel;
  sink: LogSink;
  now?: () => number;
  /** Hides secrets in every field before it is formatted (see secrets/redact.ts). */
  redact?: { value<T>(v: T): T };
}): Logger {
  const now = opts.now ?? Date.now;
  const min = LEVEL_RANK[opts.level];
  const write = (level: LogLevel, msg: string, raw: LogFields = {}) => {
    if (LEVEL_RANK[level] < min) return;
    const fields = opts.redact ? opts.redact.value(raw) : raw;
    const time = new Date(now()).toISOString();
    opts.sink(
      opts.format === "json"
        ? JSON.stringify({ time, level, msg, ...fields }) + "\n"
        : formatText(time, level, msg, fields),
    );
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    enabled: (level) => LEVEL_RANK[level] >= min,
  };
}

function formatText(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}`;
  const multiline: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      // Stderr tails read best as an indented block.
      multiline.push(`  ${key}:`, ...value.map((v) => `    | ${v}`));
      continue;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    line += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return [line, ...multiline].join("\n") + "\n";
}

/** A sink that writes to a file, and the file's closing. */
export interface FileSink {
  sink: LogSink;
  /** Closes the file; lines logged after this go to stderr, so none is lost. */
  close(): void;
}

/**
 * A sink that appends synchronously to a new file at `path` (it fails if the file exists, so
 * two runs never interleave in one file). Used while the dashboard owns the terminal.
 *
 * @example
 * ```ts
 * const dir = await Deno.makeTempDir();
 * const file = fileSink(`${dir}/hls-swarm-20250101-120000.log`);
 * const log = createLogger({ format: "json", level: "info", sink: file.sink });
 * log.info("run_started", { clients: 3 });
 * file.close();
 * ```
 */
export function fileSink(path: string): FileSink {
  let open: Deno.FsFile | null = Deno.openSync(path, { write: true, createNew: true });
  return {
    sink: (line) => (open ? writeTextSync(open, line) : stderrSink(line)),
    close: () => {
      open?.close();
      open = null;
    },
  };
}
