/**
 * hls-swarm's exit codes, in one table: each code's name in the code, its number, and what it
 * means. The docs' exit-code table (docs/usage.md, "Exit codes") is tested against this one
 * (src/exit/codes_test.ts), and {@linkcode exitCodeTable} prints it. A leaf module: every layer
 * may import it, and it imports nothing.
 *
 * Errors that mean something to the user (bad input, a run that cannot start) extend
 * {@linkcode ExitError} and carry their code; {@linkcode exitCodeOf} turns any error into its
 * code. Anything else is a bug, and a bug exits 1.
 * @module
 */

/**
 * Every exit code. Kubernetes' podFailurePolicy fails a shard's index on `usage` and
 * `lateStart` (retrying cannot help), see deploy/kubernetes. The meanings are the docs' cells.
 */
export const EXIT_CODES = {
  ok: {
    code: 0,
    meaning: "the run ended as planned: its `--duration` was up, or a run without `--duration` " +
      "was stopped by SIGINT, SIGTERM or `q`; also `--help`, `--version`, `--print-cmd`, " +
      "`completion`, `k8s render`, and a `merge` with every shard present and every threshold " +
      "passed",
  },
  failure: {
    code: 1,
    meaning: "runtime failure: FFmpeg missing or unusable; a preflight check failed; the variant " +
      "probe failed with `--probe-failure-policy fail`; the metrics address is taken; no client " +
      "received any media while clients crashed or the full duration passed; `--summary-json` " +
      "cannot be written; `k8s run`: kubectl cannot be run or fails, the pods do not all run " +
      "within `--barrier-timeout`, or `--job-timeout` passed; " +
      "an internal error (a bug)",
  },
  usage: {
    code: 2,
    meaning: "usage or configuration error: unknown flag, bad value, URL or `HLS_SWARM_*` " +
      "variable, unreadable `--ca-file`; `merge`: an input cannot be read or does not belong " +
      "with the others. `reconcile`: a log cannot be read. Every problem is listed, one line each",
  },
  interrupted: {
    code: 3,
    meaning: "a signal (SIGINT, SIGTERM) or `q` stopped the run before its `--duration` was up",
  },
  lateStart: {
    code: 4,
    meaning: "`--start-at`: this shard reached the start more than `--start-tolerance` late; " +
      "it started no client",
  },
  shardsMissing: {
    code: 5,
    meaning: "`merge`, `k8s run`: shards are missing or failed (unless `--allow-missing-shards`)",
  },
  thresholds: {
    code: 99,
    meaning: "a `--threshold` failed: at the end, or during the run with `--abort-on-fail`; " +
      "`reconcile`: more mismatches than `--tolerance`",
  },
} as const;

/** The name of an exit code in the code: `usage`, `thresholds` … */
export type ExitName = keyof typeof EXIT_CODES;
/** One of hls-swarm's exit codes. */
export type ExitCode = (typeof EXIT_CODES)[ExitName]["code"];

/**
 * The codes by name, for `return EXIT.usage`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * assertEquals([EXIT.ok, EXIT.usage, EXIT.thresholds], [0, 2, 99]);
 * ```
 */
export const EXIT: { readonly [K in ExitName]: (typeof EXIT_CODES)[K]["code"] } = Object.freeze(
  Object.fromEntries(Object.entries(EXIT_CODES).map(([name, { code }]) => [name, code])),
) as { readonly [K in ExitName]: (typeof EXIT_CODES)[K]["code"] };

/**
 * An error the user can act on (bad input, a run that cannot start), with its exit code: it is
 * reported as its one-line message, not as an internal error with a stack.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * class CaFileError extends ExitError {
 *   readonly exitCode = EXIT.usage;
 * }
 * assertEquals(exitCodeOf(new CaFileError("ca.pem: no certificate")), 2);
 * ```
 */
export abstract class ExitError extends Error {
  /** The code the program exits with when this error ends it. */
  abstract readonly exitCode: ExitCode;
}

/**
 * The exit code `error` ends the program with: an {@linkcode ExitError}'s own code, and
 * `EXIT.failure` (1) for anything else, which is a bug or a failure nothing anticipated.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * assertEquals(exitCodeOf(new TypeError("x is undefined")), 1);
 * assertEquals(exitCodeOf("a thrown string"), 1);
 * ```
 */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof ExitError ? error.exitCode : EXIT.failure;
}

/**
 * The docs' exit-code table as Markdown (`deno fmt` aligns its columns): code, name, meaning.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "../testing/assert.ts";
 * assertStringIncludes(exitCodeTable(), "| 4 | `lateStart` |");
 * ```
 */
export function exitCodeTable(): string {
  const rows = Object.entries(EXIT_CODES).map(([name, { code, meaning }]) =>
    `| ${code} | \`${name}\` | ${meaning} |`
  );
  return ["| code | name | meaning |", "| --- | --- | --- |", ...rows].join("\n") + "\n";
}

// `deno run src/exit/codes.ts | deno fmt --ext md -` prints the docs' table.
if (import.meta.main) console.log(exitCodeTable());
