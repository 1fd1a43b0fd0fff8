/**
 * hls-swarm's exit codes, documented in the README.
 * @module
 */
export const EXIT = {
  /** The run ended as asked (duration, signal, quit), or help/version/print-cmd. */
  ok: 0,
  /** A runtime failure: FFmpeg unusable, preflight or probe failed, metrics port taken, or no
   * client received any media during the run. */
  failure: 1,
  /** A usage or configuration error: bad flag, value, URL or environment variable. */
  usage: 2,
  /** The run finished but a --threshold failed. */
  thresholds: 99,
} as const;
