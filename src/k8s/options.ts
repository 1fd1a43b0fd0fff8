/**
 * From `hls-swarm k8s` flags to a {@linkcode RunSpec}. The swarm's own flags pass through to the
 * ConfigMap as their canonical HLS_SWARM_* variables (to the Secret, those that hold
 * credentials: src/k8s/credentials.ts), after the swarm's own loader has checked
 * them (same messages as `hls-swarm` itself); the flags the manifests own are refused with the
 * reason. The user's environment is never read: what a run does is what its manifests say.
 * @module
 */
import { audienceComments } from "../swarm/audience_plan.ts";
import { groupPlanComments } from "../swarm/group_plan.ts";
import { stagesDurationMs } from "../config/stages.ts";
import { envName, EXTRA_ENV, findFlag } from "../config/flags.ts";
import { loadConfig, type RawFlags, runIdOf } from "../config/load.ts";
import { VERSION } from "../version.ts";
import { splitSecrets } from "./credentials.ts";
import type { RunSpec } from "./manifests.ts";
import { type SchedulingFlags, schedulingOf } from "./scheduling.ts";

/**
 * The image container.nix builds: `hls-swarm`, tagged with the version (`nix build
 * .#swarm-client-image && docker load < result`).
 */
export const DEFAULT_IMAGE = `hls-swarm:${VERSION}`;

/** How far ahead the default --start-at is: time to schedule pods and pull the image. */
export const DEFAULT_START_LEAD_MS = 120_000;

/** Swarm flags the manifests set themselves, and why they cannot be given. */
export const OWNED_FLAGS: Readonly<Record<string, string>> = {
  shard: "each pod's shard comes from its completion index; use --shards N",
  metrics: "the manifests serve metrics on port 17091 (the probes and the PodMonitor use it)",
  tui: "the pods run without a dashboard",
  "summary-line": "the pods always print their summary line (k8s run collects it)",
  "print-cmd": "run hls-swarm --print-cmd locally instead",
  check: "run hls-swarm --check locally instead",
};

/**
 * Swarm flags that `k8s run` hands to `hls-swarm merge` (the fleet's, not a shard's), and why
 * `k8s render` refuses them: a pod's own file would stay in its `/tmp` and be lost with it.
 */
export const MERGE_FLAGS: Readonly<Record<string, string>> = {
  threshold: 'judged on the merged fleet: give it to "k8s run" or "hls-swarm merge"',
  "summary-json": 'written from the merged fleet: give it to "k8s run" or "hls-swarm merge"',
  junit: 'a pod\'s file would be lost with the pod: give it to "k8s run" (JUnit of the ' +
    'merged fleet) or "hls-swarm merge"',
  timeline: 'a pod\'s file would be lost with the pod: give it to "k8s run" (the merged ' +
    'series) or "hls-swarm merge"',
  "request-log": 'a pod\'s file would be lost with the pod: give it to "k8s run", which ' +
    "collects each pod's from its log (src/report/file_frames.ts) and merges them",
  html: "a pod's file would be lost with the pod: give it to \"k8s run\" (the merged fleet's " +
    'report, with each shard) or "hls-swarm merge"',
  markdown: 'a pod\'s file would be lost with the pod: give it to "k8s run" (the merged ' +
    'fleet\'s summary) or "hls-swarm merge"',
};

/** merge's flags that name a file it writes: `k8s run` narrows each to mode 0600. */
export const MERGE_OUTPUTS = [
  "--summary-json",
  "--junit",
  "--timeline",
  "--request-log",
  "--html",
  "--markdown",
];

/** Where a pod writes its request log, when `k8s run` is given --request-log: the pod's `/tmp`
 * (an emptyDir), printed into its log at the end (`--summary-line`), where k8s run reads it. */
export const POD_REQUEST_LOG = "/tmp/hls-swarm-requests.ndjson";

/** The k8s flags beside the swarm's, as parsed. */
export interface K8sFlags extends SchedulingFlags {
  shards: string;
  image: string;
  namespace?: string;
  podMonitor: boolean;
  /** `k8s run` without --start-at: the pods wait at a barrier (src/k8s/barrier.ts) this long. */
  barrier?: { timeoutS: number };
}

/** A spec, or every problem found (one line each); warnings either way. */
export type SpecResult =
  | {
    ok: true;
    spec: RunSpec;
    startAt: string;
    durationMs: number;
    warnings: string[];
    /** `# …` lines saying the stages and sessions, and each pod's share. */
    audience: string[];
  }
  | { ok: false; errors: string[] };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * An instant as RFC 3339 UTC, to the second: `2026-12-01T14:24:33Z`.
 *
 * @example
 * ```ts
 * rfc3339(new Date(0)); // "1970-01-01T00:00:00Z"
 * ```
 */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/** A value as an environment variable holds it: lists one per line, as the swarm reads them. */
function envValue(v: string | boolean | string[]): string {
  return Array.isArray(v) ? v.join("\n") : String(v);
}

/**
 * Builds the run's spec from the swarm flags given on the command line (`raw`, `given`), the
 * URL and the k8s flags. `now` fixes the generated run id and the default --start-at.
 *
 * @example
 * ```ts
 * const r = runSpecOf({ clients: "100" }, new Set(["clients"]), "http://origin/x.m3u8",
 *   { shards: "4", image: DEFAULT_IMAGE, podMonitor: true }, new Date());
 * if (r.ok) r.spec.settings.HLS_SWARM_CLIENTS; // "100"
 * ```
 */
export function runSpecOf(
  raw: RawFlags,
  given: ReadonlySet<string>,
  url: string | undefined,
  k8s: K8sFlags,
  now: Date,
): SpecResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const name of given) {
    if (OWNED_FLAGS[name]) errors.push(`${name}: not a k8s flag: ${OWNED_FLAGS[name]}`);
  }
  if (!url) errors.push("stream URL: required (hls-swarm k8s render|run [flags] URL)");

  const shardsText = k8s.shards.trim();
  const shards = Number(shardsText);
  if (!/^\d+$/.test(shardsText) || shards < 1) {
    errors.push(`shards: must be a whole number of at least 1 (got "${k8s.shards}")`);
  }
  if (!k8s.image.trim() || /\s/.test(k8s.image)) {
    errors.push(`image: expected an image reference such as ${DEFAULT_IMAGE} (got "${k8s.image}")`);
  }
  if (k8s.namespace !== undefined && !DNS_LABEL.test(k8s.namespace)) {
    errors.push(
      `namespace: "${k8s.namespace}" must be lower-case letters, digits and "-", at most 63`,
    );
  }

  const scheduling = schedulingOf(k8s, errors);

  const runId = runIdOf(String(raw["run-id"] ?? ""), errors, now);
  // Pods are named <job>-<index>-<suffix>, and their hostname <job>-<index> is a DNS label.
  const longestHost = `${runId}-${Math.max(0, (shards || 1) - 1)}`;
  if (DNS_LABEL.test(runId) && longestHost.length > 63) {
    errors.push(
      `run-id: "${runId}" is too long for ${shards} shards: pod hostnames such as ` +
        `"${longestHost}" must be at most 63 characters`,
    );
  }
  const startAt = typeof raw["start-at"] === "string"
    ? raw["start-at"]
    : rfc3339(new Date(now.getTime() + DEFAULT_START_LEAD_MS));

  // The swarm's own loader checks every value, as shard 0 of the run will see it.
  const owned = Object.fromEntries(Object.keys(OWNED_FLAGS).map((k) => [k, undefined]));
  const loaded = loadConfig(
    { ...raw, ...owned, "run-id": runId, "start-at": startAt, shards: shardsText },
    url,
    "0",
  );
  if (!loaded.ok) {
    // Errors about the run id were found above already.
    errors.push(...loaded.errors.filter((e) => !e.startsWith("run-id: ") && !errors.includes(e)));
  }
  if (!loaded.ok || errors.length) return { ok: false, errors: unique(errors) };
  const config = loaded.config;
  // Without --duration, a staged run ends with its last stage (plus any time held).
  const durationMs = config.durationMs || (config.stages ? stagesDurationMs(config.stages) : 0);
  if (durationMs <= 0) {
    errors.push("duration: a Kubernetes run needs one (e.g. --duration 10m): a Job must end");
  }
  if (shards > config.clients) {
    errors.push(`shards: ${shards} shards need at least as many clients (got ${config.clients})`);
  }
  if (config.startAt !== null && config.startAt < now.getTime()) {
    warnings.push(
      `start-at: ${startAt} has passed: shards starting more than --start-tolerance after it ` +
        "exit 4",
    );
  }
  if (errors.length) return { ok: false, errors };

  const settings: Record<string, string> = {
    [EXTRA_ENV.streamUrl.name]: url!,
    [envName("run-id")]: runId,
    // Behind a barrier, the start is the start ConfigMap's, chosen once every pod runs.
    ...(k8s.barrier ? {} : { [envName("start-at")]: startAt }),
  };
  // The run's shape is always written out, so the ConfigMap reads as a record of the run.
  // (--stages replaces --clients and --ramp-rate, which cannot be given with it.)
  const shape = config.stages
    ? ["duration", "start-tolerance"]
    : ["clients", "ramp-rate", "duration", "start-tolerance"];
  for (const name of shape) {
    settings[envName(name)] = envValue(raw[name] as string ?? findFlag(name)?.default ?? "");
  }
  for (const name of given) {
    const value = raw[name];
    if (value === undefined || name === "run-id" || name === "start-at") continue;
    settings[envName(name)] = envValue(value);
  }
  const split = splitSecrets(settings, config);
  return {
    ok: true,
    spec: {
      runId,
      shards,
      clients: config.clients,
      image: k8s.image,
      namespace: k8s.namespace ?? null,
      settings: split.settings,
      secrets: split.secrets,
      podMonitor: k8s.podMonitor,
      scheduling,
      barrier: k8s.barrier ?? null,
      shutdownGraceMs: config.shutdownGraceMs,
    },
    startAt,
    durationMs,
    warnings,
    audience: [...audienceComments(config, shards), ...groupPlanComments(config, shards)],
  };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
