/**
 * The shard summary as `merge` reads it: every field merge uses, with its type and the bounds a
 * real run stays within. The derived figures (traffic, lines, uptime percentiles, rates) are not
 * read: merge rebuilds them from the merged snapshot, which {@link ../stats/snapshot.ts} checks.
 * @module
 */
import {
  bool,
  count,
  type CrossCheck,
  int,
  list,
  nullable,
  num,
  obj,
  optional,
  type Rule,
  str,
  time,
} from "../stats/validate.ts";

/** The most shards a run may have. More would be a typo, and would allocate per shard. */
export const MAX_SHARDS = 10_000;

/** Run ids are DNS labels (see config/load.ts), so a message may quote them. */
const RUN_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** hls-swarm versions: semver-like, so a message may quote them. */
const VERSION = /^[0-9A-Za-z.+-]{1,64}$/;

const checkShard: CrossCheck = (s) =>
  (s.index as number) < (s.count as number)
    ? null
    : ["index", `${s.index} is not below the shard count ${s.count}`];

const NUMBER = num(-Number.MAX_VALUE, Number.MAX_VALUE);
const PERCENT = num(0, 100_000);
const BYTES = num(0, Number.MAX_SAFE_INTEGER);
const SOURCE = optional(obj({
  healthy: bool,
  lastError: nullable(str(4096)),
  scrapes: count,
  failures: count,
}));

/** What merge reads of a shard's summary (`schema` and `version` are checked before this). */
export const SHARD_SUMMARY: Rule = obj({
  runId: str(63, RUN_ID, "a run id (a lower-case DNS label)"),
  shard: nullable(obj({
    index: int(0, MAX_SHARDS - 1, "a shard index"),
    count: int(1, MAX_SHARDS, "a shard count"),
    firstClient: count,
    clients: count,
    startAt: nullable(time),
    startOffsetMs: nullable(NUMBER),
  }, checkShard)),
  run: obj({
    hlsSwarmVersion: str(64, VERSION, "a version"),
    ffmpeg: obj({
      path: str(4096),
      version: str(256),
      datetimeLogFlag: bool,
      segMaxRetry: bool,
      reconnectOnNetworkError: bool,
      inputProtocols: list(str(64), 1000),
    }),
    ffmpegArgv: list(str(65_536), 10_000),
    // Absent in summaries written before hls-swarm said how it measured; merge shows "unknown".
    lineReader: optional(str(16, /^(native|deno)$/, "native or deno")),
    workers: optional(int(0, 1_000_000, "a worker count")),
    tls: str(4096),
    host: obj({
      hostname: str(253),
      cpus: int(0, 1_000_000, "a CPU count"),
      memoryBytes: nullable(count),
      openFilesLimit: nullable(count),
      processLimit: nullable(count),
    }),
    config: obj({
      clients: count,
      rampRate: num(0, 1e9),
      durationMs: num(0, Number.MAX_SAFE_INTEGER),
      variant: str(256),
      statsLogLevel: str(64),
      playerBufferMs: num(0, 86_400_000),
      variantMix: optional(nullable(str(4096))),
      resolve: optional(nullable(str(4096))),
      stages: optional(nullable(str(4096))),
      sessionDuration: optional(nullable(str(256))),
    }),
  }),
  target: str(65_536),
  startedAt: time,
  endedAt: time,
  stoppedAt: time,
  rampStartedAt: time,
  stopReason: str(1024),
  clients: obj({ receivedMedia: nullable(count) }),
  lines: obj({ threshold: num(0, 1) }),
  origin: nullable(obj({
    cpuPercent: nullable(PERCENT),
    memory: nullable(obj({ usedBytes: BYTES, totalBytes: BYTES, percent: PERCENT })),
    net: nullable(obj({
      rxBytesPerSecond: NUMBER,
      txBytesPerSecond: NUMBER,
      txP50: NUMBER,
      txMax: NUMBER,
      windowMs: NUMBER,
    })),
    nginx: nullable(obj({
      activeConnections: nullable(NUMBER),
      requestsPerSecond: nullable(NUMBER),
    })),
    sources: obj({ node: SOURCE, nginx: SOURCE }),
  })),
  loadbox: nullable(obj({
    samples: count,
    cpuMaxPercent: nullable(PERCENT),
    stealMaxPercent: nullable(PERCENT),
    loopLagMaxMs: num(0, 1e12),
    memoryMinAvailableBytes: nullable(BYTES),
    saturatedSeconds: count,
    windows: list(
      obj({
        from: time,
        to: time,
        seconds: count,
        reasons: list(str(64), 16),
        cpuMaxPercent: nullable(PERCENT),
        loopLagMaxMs: num(0, 1e12),
      }),
      10_000,
    ),
  })),
  outcome: optional(obj({ code: int(0, 255, "an exit code"), reason: nullable(str(4096)) })),
});
