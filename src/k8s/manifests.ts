/**
 * A run's Kubernetes objects, built from one {@linkcode RunSpec}: a ConfigMap with the run's
 * settings, a Secret with its credentials (only when it has some; src/k8s/credentials.ts says
 * which), a headless Service over the shard pods, an Indexed Job with one pod per shard, and a
 * PodMonitor. `hls-swarm k8s render` prints them, and deploy/kubernetes/ (the kustomize base)
 * is written from them by src/k8s/base.ts, so the two cannot drift. The objects are typed with
 * kubernetes-models' interfaces: a misspelt field is a type error, and tests validate the
 * objects against the Kubernetes and prometheus-operator schemas.
 * @module
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { EXIT } from "../exit/codes.ts";
import { envName } from "../config/flags.ts";
import {
  APP,
  CONTAINER,
  METRICS_PORT,
  RELABELLING,
  RUN_ID_LABEL,
  SCRAPE_INTERVAL,
} from "./labels.ts";
import { barrierParts } from "./barrier.ts";
import type { Scheduling } from "./scheduling.ts";
import { largestShard, podResources, sizing } from "./sizing.ts";

/** Everything the objects of one run are built from. */
export interface RunSpec {
  /** Names every object (a DNS label) and labels every pod and series. */
  runId: string;
  shards: number;
  /** The whole run's clients (--clients); each shard runs its share. */
  clients: number;
  image: string;
  /** The objects' namespace, or null for kubectl's current one. */
  namespace: string | null;
  /** The ConfigMap's data: HLS_SWARM_* variables, as strings. */
  settings: Readonly<Record<string, string>>;
  /** The Secret's data: HLS_SWARM_* variables that hold credentials; empty: no Secret. */
  secrets: Readonly<Record<string, string>>;
  /** Whether to include the PodMonitor (needs the prometheus-operator CRDs). */
  podMonitor: boolean;
  /** Node selector, tolerations, extra labels and image pull secrets of the pods. */
  scheduling: Scheduling;
  /** The start barrier (src/k8s/barrier.ts) and how long its init container waits, or null. */
  barrier: { timeoutS: number } | null;
  /** hls-swarm's --shutdown-grace, which the pod's termination grace must exceed. */
  shutdownGraceMs: number;
}

/** Any object this module builds. */
export type K8sObject = IConfigMap | ISecret | IService | IJob | IPodMonitor;

/** The ephemeral ports Linux hands out by default (32768-60999). */
const DEFAULT_LOCAL_PORTS = 28232;

/** Time after the shutdown grace for the summary to be written and FFmpeg's groups reaped. */
const TERMINATION_MARGIN_S = 25;

/** How long preflight (FFmpeg checks, the stream's first GET, the variant probe) may take. */
const STARTUP_BUDGET_S = 120;

function meta(spec: RunSpec): { name: string; namespace?: string; labels: Record<string, string> } {
  return {
    name: spec.runId,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels: { ...spec.scheduling.labels, ...podLabels(spec) },
  };
}

/** The labels of every object and pod of the run; the Service and PodMonitor select on them. */
export function podLabels(spec: RunSpec): Record<string, string> {
  return { "app.kubernetes.io/name": APP, [RUN_ID_LABEL]: spec.runId };
}

/**
 * The pod's termination grace, seconds: hls-swarm's shutdown grace (SIGTERM to FFmpeg, then
 * SIGKILL) plus time to print the summary line, at least Kubernetes' default 30 s.
 *
 * @example
 * ```ts
 * terminationGraceSeconds(5000); // 30
 * ```
 */
export function terminationGraceSeconds(shutdownGraceMs: number): number {
  return Math.max(30, Math.ceil(shutdownGraceMs / 1000) + TERMINATION_MARGIN_S);
}

/**
 * The ConfigMap: the run's settings that hold no credential, read by every shard through envFrom.
 *
 * @example Not run: it needs a RunSpec (k8s/options.ts)
 * ```ts ignore
 * configMap(spec).data?.HLS_SWARM_URL; // "http://origin:17080/stream.m3u8"
 * ```
 */
export function configMap(spec: RunSpec): IConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(spec), data: sorted(spec.settings) };
}

function sorted(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
}

/** Whether the run has a Secret: whether any setting holds a credential. */
export function hasSecret(spec: RunSpec): boolean {
  return Object.keys(spec.secrets).length > 0;
}

/**
 * The Secret: the settings that hold credentials, read by every shard through envFrom. They
 * are in `stringData`, clear text: base64 in `data` would hide nothing, and the YAML that holds
 * a Secret is as secret as the credentials either way (`k8s render` says so on stderr).
 *
 * @example Not run: it needs a RunSpec (k8s/options.ts)
 * ```ts ignore
 * secret(spec).stringData?.HLS_SWARM_HEADER; // "Authorization: Bearer …"
 * ```
 */
export function secret(spec: RunSpec): ISecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(spec),
    type: "Opaque",
    stringData: sorted(spec.secrets),
  };
}

/**
 * The headless Service: a DNS name per shard pod (`<run>-<index>.<run>`), and the metrics port
 * by name. Not-ready pods are published too: a shard is not ready until its first client runs.
 */
export function service(spec: RunSpec): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(spec),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: podLabels(spec),
      ports: [{
        name: METRICS_PORT.name,
        port: METRICS_PORT.number,
        targetPort: METRICS_PORT.name,
      }],
    },
  };
}

/**
 * The Indexed Job: one pod per shard, never restarted in place. A failed pod fails its index
 * (backoffLimitPerIndex 0) while the other shards run on; the podFailurePolicy says so outright
 * for a configuration error and a late start, which no retry can mend, so they stay final even
 * when backoffLimitPerIndex is raised. A pod lost to a disruption (eviction, preemption, node
 * drain) does not count: it is replaced, and the replacement runs if it still makes
 * --start-tolerance, or exits 4.
 */
export function job(spec: RunSpec): IJob {
  const labels = podLabels(spec);
  const { nodeSelector, tolerations, imagePullSecrets } = spec.scheduling;
  const perShard = largestShard(spec.clients, spec.shards);
  const probe = (path: string, periodSeconds: number, failureThreshold: number): IProbe => ({
    httpGet: { path, port: METRICS_PORT.name },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  });
  const image = { image: spec.image, imagePullPolicy: "IfNotPresent" as const };
  const securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
  const barrier = spec.barrier
    ? barrierParts(spec.runId, { ...image, securityContext }, spec.barrier.timeoutS)
    : null;
  const sysctls = sizing(perShard).connections > DEFAULT_LOCAL_PORTS
    ? [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }]
    : undefined;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(spec),
    spec: {
      completionMode: "Indexed",
      completions: spec.shards,
      parallelism: spec.shards,
      backoffLimitPerIndex: 0,
      podReplacementPolicy: "Failed",
      podFailurePolicy: {
        rules: [
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          {
            action: "FailIndex",
            onExitCodes: {
              containerName: CONTAINER,
              operator: "In",
              values: [EXIT.usage, EXIT.lateStart],
            },
          },
        ],
      },
      // Finished runs clean up after a day; `hls-swarm k8s run` collects the logs before that.
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: { ...spec.scheduling.labels, ...labels } },
        spec: {
          restartPolicy: "Never",
          // Only when given, so a render without them is the same as before.
          ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
          ...(tolerations.length ? { tolerations } : {}),
          ...(imagePullSecrets.length
            ? { imagePullSecrets: imagePullSecrets.map((name) => ({ name })) }
            : {}),
          subdomain: spec.runId,
          terminationGracePeriodSeconds: terminationGraceSeconds(spec.shutdownGraceMs),
          // Service links would add variables named after Services, some starting HLS_SWARM_.
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            seccompProfile: { type: "RuntimeDefault" },
            sysctls,
          },
          // One shard per node where possible: shards share no host's CPU or network.
          topologySpreadConstraints: [{
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: labels },
          }],
          ...(barrier ? { initContainers: [barrier.initContainer] } : {}),
          containers: [{
            name: CONTAINER,
            ...image,
            // Not optional: a pod without its credentials would only measure 401s.
            envFrom: [
              { configMapRef: { name: spec.runId } },
              ...(hasSecret(spec) ? [{ secretRef: { name: spec.runId } }] : []),
            ],
            // After envFrom, so they win over the ConfigMap and Secret: the pod depends on these.
            env: [
              // With JOB_COMPLETION_INDEX, which Kubernetes sets, this makes shard I of N.
              { name: envName("shards"), value: String(spec.shards) },
              {
                name: envName("metrics"),
                value: `0.0.0.0:${METRICS_PORT.number}`,
              },
              { name: envName("tui"), value: "false" },
              { name: envName("summary-line"), value: "true" },
              ...(barrier ? [barrier.env] : []),
            ],
            ports: [{ name: METRICS_PORT.name, containerPort: METRICS_PORT.number }],
            resources: podResources(perShard),
            // /health answers from the end of preflight on, through the wait for --start-at.
            startupProbe: probe("/health", 2, STARTUP_BUDGET_S / 2),
            livenessProbe: probe("/health", 10, 3),
            // /ready answers 200 once a client runs, so "ready" means "ramping".
            readinessProbe: probe("/ready", 5, 1),
            securityContext,
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
          }],
          volumes: [{ name: "tmp", emptyDir: {} }, ...(barrier ? [barrier.volume] : [])],
        },
      },
    },
  };
}

/** The PodMonitor: the operator's Prometheus scrapes every shard on the metrics port. */
export function podMonitor(spec: RunSpec): IPodMonitor {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: meta(spec),
    spec: {
      selector: { matchLabels: podLabels(spec) },
      podMetricsEndpoints: [{
        port: METRICS_PORT.name,
        path: "/metrics",
        interval: SCRAPE_INTERVAL,
        // The series carry run_id themselves; honouring it keeps Prometheus from renaming it
        // to exported_run_id beside the target's equal run_id.
        honorLabels: true,
        relabelings: RELABELLING.map((r) => ({ ...r })),
      }],
    },
  };
}

/**
 * Every object of the run, in the order `kubectl apply` should create them: the ConfigMap and
 * the Secret before the pods that read them.
 *
 * @example Not run: it needs a RunSpec (k8s/options.ts)
 * ```ts ignore
 * const yaml = toYamlStream(runObjects(spec));
 * ```
 */
export function runObjects(spec: RunSpec): K8sObject[] {
  return [
    configMap(spec),
    ...(hasSecret(spec) ? [secret(spec)] : []),
    service(spec),
    job(spec),
    ...(spec.podMonitor ? [podMonitor(spec)] : []),
  ];
}
