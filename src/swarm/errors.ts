/**
 * Why a run could not start.
 * @module
 */

/** A run could not start: preflight or the variant probe failed, or metrics could not bind. */
export class SwarmStartError extends Error {
  override name = "SwarmStartError";
}
