/**
 * Why a run could not start.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";

/** A run could not start: preflight or the variant probe failed, or metrics could not bind. */
export class SwarmStartError extends ExitError {
  override name = "SwarmStartError";
  readonly exitCode = EXIT.failure;
}

/** A shard reached --start-at later than --start-tolerance allows: running late would skew the
 * fleet's figures, so it does not run at all. */
export class LateStartError extends ExitError {
  override name = "LateStartError";
  readonly exitCode = EXIT.lateStart;
}
