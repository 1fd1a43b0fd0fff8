/**
 * make_script.ts's command line: the options, their defaults and the usage text. A bad argument
 * is a {@linkcode UsageError}, which make_script.ts prints with the usage and turns into exit 2
 * (src/exit/codes.ts's `usage`).
 * @module
 */

/** What one make_script.ts run reads, writes, and how it paces and loops the script. */
export interface Options {
  /** the captured stderr (`-loglevel repeat+level+<L>`) */
  stderr: string;
  /** the captured `-progress pipe:1` output, or "" */
  progress: string;
  /** the script to write */
  out: string;
  /** loop from the N-th playlist reload */
  loopFrom: number;
  /** play once, then the tail, then exit with {@linkcode Options.exitCode} */
  noLoop: boolean;
  /** process start to FFmpeg's first line, ms (measured here: 110) */
  firstLineMs: number;
  /** first line to the transcode start, ms (paced mode) */
  startupMs: number;
  /** gap between the messages of one burst, µs (measured here: 50) */
  lineUs: number;
  /** keep a captured datetime prefix as a write of its own */
  keepDatetime: boolean;
  /** exit code of a `--no-loop` script */
  exitCode: number;
  /** loop period, ms; null: the media time the loop covers */
  periodMs: number | null;
}

type TextKey = "stderr" | "progress" | "out";
type NumberKey = "loopFrom" | "exitCode" | "periodMs" | "firstLineMs" | "startupMs" | "lineUs";
type SwitchKey = "noLoop" | "keepDatetime";

/** One flag: its spellings, the option it sets, and its line in the usage (none: in line 1). */
type Flag =
  & { names: readonly string[]; help?: string }
  & (
    | { kind: "text"; key: TextKey; arg: string }
    | { kind: "number"; key: NumberKey; arg: string; min: number }
    | { kind: "switch"; key: SwitchKey }
  );

/** Every flag, in the usage's order. */
const FLAGS: readonly Flag[] = [
  { names: ["--stderr"], kind: "text", key: "stderr", arg: "FILE" },
  { names: ["--progress"], kind: "text", key: "progress", arg: "FILE" },
  { names: ["-o", "--out"], kind: "text", key: "out", arg: "OUT" },
  {
    names: ["--loop-from"],
    kind: "number",
    key: "loopFrom",
    arg: "N",
    min: 1,
    help: "loop from the N-th playlist reload (default 2)",
  },
  {
    names: ["--no-loop"],
    kind: "switch",
    key: "noLoop",
    help: "play once, then the tail, then exit with --exit-code",
  },
  {
    names: ["--exit-code"],
    kind: "number",
    key: "exitCode",
    arg: "N",
    min: 0,
    help: "exit code of a --no-loop script (default 0)",
  },
  {
    names: ["--period-ms"],
    kind: "number",
    key: "periodMs",
    arg: "MS",
    min: 0,
    help: "loop period (default: the media time the loop covers)",
  },
  {
    names: ["--first-line-ms"],
    kind: "number",
    key: "firstLineMs",
    arg: "MS",
    min: 0,
    help: "process start to FFmpeg's first line (default 110, measured here)",
  },
  {
    names: ["--startup-ms"],
    kind: "number",
    key: "startupMs",
    arg: "MS",
    min: 0,
    help: "first line to the transcode start (default 20; paced mode)",
  },
  {
    names: ["--line-us"],
    kind: "number",
    key: "lineUs",
    arg: "US",
    min: 0,
    help: "gap between the messages of one burst (default 50, measured here)",
  },
  {
    names: ["--keep-datetime"],
    kind: "switch",
    key: "keepDatetime",
    help: "keep a captured datetime prefix as a write of its own (stale times)",
  },
];

/** The usage text `--help` prints and every usage error ends with. */
export const USAGE = [
  "usage: make_script.ts --stderr FILE [--progress FILE] -o OUT [options]",
  ...FLAGS.flatMap((f) =>
    f.help === undefined
      ? []
      : [`  ${f.names[0]}${f.kind === "switch" ? "" : ` ${f.arg}`}`.padEnd(22) + f.help]
  ),
].join("\n");

/** A command line make_script.ts cannot run: the message ends with {@linkcode USAGE}. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Reads the arguments; `"help"` for `-h`/`--help`.
 *
 * @example
 * ```ts
 * parseArgs(["--stderr", "err.txt", "-o", "out.script", "--no-loop"]); // { …, noLoop: true, loopFrom: 2 }
 * parseArgs(["--help"]); // "help"
 * ```
 */
export function parseArgs(args: string[]): Options | "help" {
  const o: Options = {
    stderr: "",
    progress: "",
    out: "",
    loopFrom: 2,
    noLoop: false,
    firstLineMs: 110,
    startupMs: 20,
    lineUs: 50,
    keepDatetime: false,
    exitCode: 0,
    periodMs: null,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h" || a === "--help") return "help";
    const flag = FLAGS.find((f) => f.names.includes(a));
    if (!flag) throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    if (flag.kind === "switch") {
      o[flag.key] = true;
      continue;
    }
    if (i + 1 >= args.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
    const v = args[++i];
    if (flag.kind === "text") o[flag.key] = v;
    else {
      const n = Number(v);
      // Number("") is 0 and Number("x") NaN: both would pass silently into the script
      if (v.trim() === "" || !Number.isFinite(n) || n < flag.min) {
        throw new UsageError(`${a} ${v}: needs a number >= ${flag.min}\n${USAGE}`);
      }
      o[flag.key] = n;
    }
  }
  if (!o.stderr || !o.out) throw new UsageError(USAGE);
  return o;
}
