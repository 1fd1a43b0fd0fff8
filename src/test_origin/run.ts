/**
 * Running the origin in the foreground, as the CLI `origin` subcommand does.
 *
 * @module
 */

import type { OriginOptions } from "./options.ts";
import { type OriginDeps, startOrigin } from "./origin.ts";

/** The signals that stop a foreground origin. */
const STOP_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * Starts an origin and keeps it running until SIGINT or SIGTERM (also during startup), then
 * cleans up. Resolves after a clean stop; rejects if the origin fails to start or its
 * generator dies. `onReady` receives the running origin (e.g. to print its URL).
 *
 * @example Not run: it serves on port 17080 until a signal (tests/origin_test.ts runs it)
 * ```ts ignore
 * import { DEFAULT_ORIGIN_OPTIONS, runOriginUntilSignal } from "./mod.ts";
 * await runOriginUntilSignal(DEFAULT_ORIGIN_OPTIONS, {}, (origin) => console.log(origin.url));
 * ```
 */
export async function runOriginUntilSignal(
  opts: OriginOptions,
  deps: Omit<OriginDeps, "signal"> = {},
  onReady?: (origin: { url: string; port: number; dir: string }) => void,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error("origin stopped by signal"));
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    const origin = await startOrigin(opts, { ...deps, signal: stop.signal });
    try {
      onReady?.(origin);
      await origin.finished;
    } finally {
      await origin.close();
    }
  } catch (error) {
    // A signal during startup is a requested stop, not a failure.
    if (!stop.signal.aborted) throw error;
  } finally {
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}
