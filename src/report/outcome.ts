/**
 * How a finished run ends: its exit code and why, from the summary and the threshold results.
 * The JSON summary carries the outcome, so `merge` knows which shards failed.
 * @module
 */
import { EXIT, type ExitCode } from "../exit/codes.ts";
import type { RunSummary } from "./summary.ts";
import type { ThresholdResult } from "./thresholds.ts";

/** A finished run's exit code and, when it is not 0, why. */
export interface RunOutcome {
  code: ExitCode;
  reason: string | null;
}

/**
 * The outcome: a failed run (1) before an interrupted one (3) before breached thresholds (99).
 * Thresholds judged on a run cut short would judge a different test, so an interruption wins.
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * runOutcome(summary, thresholds, 60_000); // { code: 0, reason: null }
 * ```
 */
export function runOutcome(
  summary: RunSummary,
  thresholds: readonly ThresholdResult[],
  durationMs: number,
): RunOutcome {
  const failure = runFailure(summary);
  if (failure) return { code: EXIT.failure, reason: failure };
  // A run without --duration ends by a signal or quit as planned; the threshold abort is its own.
  if (durationMs > 0 && summary.stopReason !== "duration" && summary.stopReason !== "thresholds") {
    return {
      code: EXIT.interrupted,
      reason: `stopped by ${summary.stopReason} before --duration was up`,
    };
  }
  const breached = thresholds.filter((t) => !t.passed);
  if (summary.stopReason === "thresholds") {
    return {
      code: EXIT.thresholds,
      reason: "--abort-on-fail stopped the run: a threshold failed during it" +
        (breached.length ? ` (at the end: ${breached.map((t) => t.threshold).join(", ")})` : ""),
    };
  }
  if (breached.length) {
    return {
      code: EXIT.thresholds,
      reason: `thresholds failed: ${breached.map((t) => t.threshold).join(", ")}`,
    };
  }
  return { code: EXIT.ok, reason: null };
}

/**
 * Why a finished run counts as failed, or null. A run in which no client ever received media
 * failed when FFmpeg processes died or the full duration passed; a run interrupted before the
 * first segment arrived, with nothing failing, did not.
 */
function runFailure(summary: RunSummary): string | null {
  if (summary.clients.started === 0) return null;
  const { receivedMedia } = summary.clients;
  const failing = summary.lifecycle.unexpectedExits > 0 || summary.stopReason === "duration";
  if (receivedMedia === 0 && failing) {
    return "no client received any media; see the client_exited logs for FFmpeg's reasons";
  }
  if (receivedMedia === null && !summary.lifecycle.exits.some((e) => e.requested)) {
    return "no FFmpeg client was running when the run ended; see the client_exited logs";
  }
  return null;
}
