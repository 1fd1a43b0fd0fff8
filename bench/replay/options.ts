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

/** The usage text `--help` prints and every usage error ends with. */
export const USAGE = `usage: make_script.ts --stderr FILE [--progress FILE] -o OUT [options]
  --loop-from N       loop from the N-th playlist reload (default 2)
  --no-loop           play once, then the tail, then exit with --exit-code
  --exit-code N       exit code of a --no-loop script (default 0)
  --period-ms MS      loop period (default: the media time the loop covers)
  --first-line-ms MS  process start to FFmpeg's first line (default 110, measured here)
  --startup-ms MS     first line to the transcode start (default 20; paced mode)
  --line-us US        gap between the messages of one burst (default 50, measured here)
  --keep-datetime     keep a captured datetime prefix as a write of its own (stale times)`;

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
    const v = () => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return args[++i];
    };
    switch (a) {
      case "--stderr":
        o.stderr = v();
        break;
      case "--progress":
        o.progress = v();
        break;
      case "-o":
      case "--out":
        o.out = v();
        break;
      case "--loop-from":
        o.loopFrom = Number(v());
        break;
      case "--no-loop":
        o.noLoop = true;
        break;
      case "--exit-code":
        o.exitCode = Number(v());
        break;
      case "--period-ms":
        o.periodMs = Number(v());
        break;
      case "--first-line-ms":
        o.firstLineMs = Number(v());
        break;
      case "--startup-ms":
        o.startupMs = Number(v());
        break;
      case "--line-us":
        o.lineUs = Number(v());
        break;
      case "--keep-datetime":
        o.keepDatetime = true;
        break;
      case "-h":
      case "--help":
        return "help";
      default:
        throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (!o.stderr || !o.out) throw new UsageError(USAGE);
  return o;
}
