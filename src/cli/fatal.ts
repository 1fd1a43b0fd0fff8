/**
 * The last resort for an error nothing else caught (a bug, or a rejection no one awaited): one
 * redacted line on stderr, the redacted stack only at debug level, and exit 1 (`exitCodeOf`: an
 * ExitError that escaped would keep its own code). Deno's own
 * report of an uncaught error prints the message and stack as they are, and either can hold a
 * URL with its token or a header value.
 * @module
 */
import { PROGRAM_NAME } from "../version.ts";
import { exitCodeOf } from "../exit/codes.ts";

/** What the handler needs: where to write, how to redact, whether to add the stack. */
export interface FatalDeps {
  write(text: string): void;
  redactor: { text(text: string): string };
  debug: boolean;
  exit(code: number): never;
}

/**
 * The text printed for `error`: `hls-swarm: internal error: MESSAGE` (one line), then the stack
 * at debug level.
 *
 * @example
 * ```ts
 * fatalText(new Error("boom ?sig=abc"), { text: (t) => t.replace("abc", "<redacted>") }, false);
 * // "hls-swarm: internal error: boom ?sig=<redacted> (exit 1; --log-level=debug shows the stack)\n"
 * ```
 */
export function fatalText(
  error: unknown,
  redactor: { text(text: string): string },
  debug: boolean,
): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = redactor.text(message.replace(/\s*\r?\n\s*/g, " ").trim());
  const stack = error instanceof Error && error.stack ? redactor.text(error.stack) : "";
  return debug && stack
    ? `${PROGRAM_NAME}: internal error: ${line}\n${stack}\n`
    : `${PROGRAM_NAME}: internal error: ${line} (exit ${exitCodeOf(error)}; ` +
      "--log-level=debug shows the stack)\n";
}

/**
 * Installs the handlers of uncaught errors and unhandled rejections on `target`, and returns
 * the function that reports an error and exits (for the try/catch around the program).
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * const written: string[] = [];
 * const fail = installFatalHandlers(new EventTarget(), {
 *   write: (text) => written.push(text),
 *   redactor: { text: (t) => t.replace("s3cret", "<redacted>") },
 *   debug: false,
 *   exit: (code) => {
 *     throw new Error(`exit ${code}`); // Deno.exit in the program
 *   },
 * });
 * try {
 *   fail(new Error("token s3cret refused"));
 * } catch (e) {
 *   assertEquals((e as Error).message, "exit 1");
 * }
 * assertEquals(written, [
 *   "hls-swarm: internal error: Error: token <redacted> refused " +
 *   "(exit 1; --log-level=debug shows the stack)\n",
 * ]);
 * ```
 */
export function installFatalHandlers(target: EventTarget, deps: FatalDeps): (e: unknown) => never {
  const fail = (error: unknown): never => {
    try {
      deps.write(fatalText(error, deps.redactor, deps.debug));
    } finally {
      deps.exit(exitCodeOf(error));
    }
    throw error; // unreachable: exit does not return
  };
  target.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    fail((e as PromiseRejectionEvent).reason);
  });
  target.addEventListener("error", (e) => {
    e.preventDefault();
    fail((e as ErrorEvent).error);
  });
  return fail;
}

/**
 * Whether the raw inputs ask for debug logs (`-v`, `--verbose`, `--log-level debug`, or the
 * variables), read before any parsing so a crash in parsing knows it too.
 *
 * @example
 * ```ts
 * debugWanted(["-v", "http://h/x.m3u8"], {}); // true
 * ```
 */
export function debugWanted(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const level = env.HLS_SWARM_LOG_LEVEL ?? env.LOG_LEVEL;
  if (level?.trim().toLowerCase() === "debug") return true;
  if (/^(1|true|yes|on)$/i.test(env.HLS_SWARM_VERBOSE?.trim() ?? "")) return true;
  return args.some((a, i) =>
    /^(-v|--?verbose|--?log-level=debug)$/.test(a) ||
    (/^--?log-level$/.test(a) && args[i + 1] === "debug")
  );
}
