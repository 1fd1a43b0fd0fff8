/**
 * The start barrier of `hls-swarm k8s run`: the shards learn their --start-at only once every
 * pod of the run is scheduled, has pulled the image and runs. A fixed time two minutes after
 * `kubectl apply` loses shards when nodes scale up or images pull slowly; this does not.
 *
 * How: each pod first runs an init container, `hls-swarm k8s barrier FILE`, from the same image
 * (so the same pull), that waits for FILE to appear. FILE is the key HLS_SWARM_START_AT of the
 * ConfigMap `<run>-start`, mounted as an optional volume: it does not exist yet. `k8s run` watches
 * the pods (src/k8s/pod_state.ts); when every index's init container runs, it creates that
 * ConfigMap with a start time `--start-lead` ahead. The kubelet writes the key into each pod's
 * volume (at its next sync, within about a minute), the init containers exit, and the shard
 * containers start with HLS_SWARM_START_AT read from the same ConfigMap (an env reference,
 * resolved when the container is created, which is after the release).
 * @module
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IVolume } from "kubernetes-models/v1/Volume";
import { envName } from "../config/flags.ts";

/** The init container's name. */
export const BARRIER_CONTAINER = "barrier";

/** Where the start ConfigMap is mounted in the init container. */
const MOUNT = "/barrier";

/** The variable, and the ConfigMap key, that holds the start time. */
const KEY = envName("start-at");

/** How often the init container looks for the file. */
export const BARRIER_POLL_MS = 1000;

/**
 * The ConfigMap that releases the barrier.
 *
 * @example
 * ```ts
 * startConfigMapName("run-1"); // "run-1-start"
 * ```
 */
export function startConfigMapName(runId: string): string {
  return `${runId}-start`;
}

/**
 * The start ConfigMap: created by `k8s run` once every pod waits at the barrier.
 *
 * @example
 * ```ts
 * startConfigMap("run-1", null, {}, "2030-06-01T12:00:00Z").data; // { HLS_SWARM_START_AT: "2030-…" }
 * ```
 */
export function startConfigMap(
  runId: string,
  namespace: string | null,
  labels: Record<string, string>,
  startAt: string,
): IConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: startConfigMapName(runId),
      ...(namespace ? { namespace } : {}),
      labels,
    },
    data: { [KEY]: startAt },
  };
}

/** The parts of the pod that make the barrier: init container, volume, and the shard's env. */
export interface BarrierParts {
  initContainer: IContainer;
  volume: IVolume;
  env: IEnvVar;
}

/**
 * The barrier's parts of a pod. `base` is the shard container's image, pull policy and
 * security context, which the init container shares; `timeoutS` is how long it waits before
 * it gives up (exit 1, which fails its index: `k8s run` is gone by then).
 */
export function barrierParts(
  runId: string,
  base: Pick<IContainer, "image" | "imagePullPolicy" | "securityContext">,
  timeoutS: number,
): BarrierParts {
  const name = startConfigMapName(runId);
  return {
    initContainer: {
      name: BARRIER_CONTAINER,
      ...base,
      // The image's entrypoint (tini, hls-swarm) with these arguments: no shell is needed.
      args: ["k8s", "barrier", `--timeout=${timeoutS}s`, `${MOUNT}/${KEY}`],
      // Deno and the bundle, idle: measured at 60-100 MiB RSS for the whole swarm at start.
      resources: { requests: { cpu: "10m", memory: "160Mi" }, limits: { memory: "160Mi" } },
      volumeMounts: [
        { name: "barrier", mountPath: MOUNT, readOnly: true },
        // HOME and DENO_DIR are under /tmp, the only writable place.
        { name: "tmp", mountPath: "/tmp" },
      ],
    },
    volume: { name: "barrier", configMap: { name, optional: true } },
    env: { name: KEY, valueFrom: { configMapKeyRef: { name, key: KEY } } },
  };
}

/** What the in-pod wait uses. */
export interface BarrierDeps {
  readTextFile(path: string): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
  stderr(text: string): void;
}

/**
 * `hls-swarm k8s barrier FILE`: waits until FILE holds a value, then exits 0. A missing file
 * is waited for; so is an empty one. After `timeoutMs` it exits 1.
 *
 * @example Not run: it waits in a shard pod for the mounted start time
 * ```ts ignore
 * const code = await waitAtBarrier("/barrier/HLS_SWARM_START_AT", 3_600_000, deps);
 * ```
 */
export async function waitAtBarrier(
  file: string,
  timeoutMs: number,
  deps: BarrierDeps,
): Promise<number> {
  const start = deps.now();
  deps.stderr(`hls-swarm k8s barrier: waiting for ${file}\n`);
  for (;;) {
    const value = (await deps.readTextFile(file).catch(() => "")).trim();
    if (value) {
      deps.stderr(`hls-swarm k8s barrier: released: ${value}\n`);
      return 0;
    }
    if (deps.now() - start >= timeoutMs) {
      deps.stderr(
        `hls-swarm k8s barrier: not released within ${Math.round(timeoutMs / 1000)} s ` +
          `(k8s run gone?); giving up\n`,
      );
      return 1;
    }
    await deps.sleep(BARRIER_POLL_MS);
  }
}
