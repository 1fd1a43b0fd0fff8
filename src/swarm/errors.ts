/**
 * Why a run could not start.
 * @module
 */

/** A run could not start: preflight or the variant probe failed, or metrics could not bind. */
export class SwarmStartError extends Error {
  override name = "SwarmStartError";
}

/** A shard reached --start-at later than --start-tolerance allows: running late would skew the
 * fleet's figures, so it does not run at all. */
export class LateStartError extends Error {
  override name = "LateStartError";
}
