/**
 * hls-swarm's exit codes, documented in the README. Kubernetes' podFailurePolicy fails a shard's
 * index on `usage` and `lateStart` (retrying cannot help), see deploy/kubernetes.
 * @module
 */
export const EXIT = {
  /** The run ended as asked (its duration, or quit when it had none), or help/version/print-cmd. */
  ok: 0,
  /** A runtime failure: FFmpeg unusable, preflight or probe failed, metrics port taken, or no
   * client received any media during the run. */
  failure: 1,
  /** A usage or configuration error: bad flag, value, URL, environment variable or input file. */
  usage: 2,
  /** A signal (SIGINT, SIGTERM) stopped the run before its --duration was up. */
  interrupted: 3,
  /** A shard reached --start-at later than --start-tolerance allows. */
  lateStart: 4,
  /** merge: shards are missing or failed (unless --allow-missing-shards). */
  shardsMissing: 5,
  /** A --threshold failed, at the end or (with --abort-on-fail) during the run. */
  thresholds: 99,
} as const;
