/**
 * The names a run's Kubernetes objects and Prometheus share: pod labels, the metrics port, the
 * scrape job, and the relabelling that turns pod labels into the `shard` and `run_id` target
 * labels. The PodMonitor and the plain Prometheus scrape configuration
 * (deploy/prometheus/scrape.yml) are both written from {@linkcode RELABELLING}, so they cannot
 * disagree, and the recording rules (deploy/prometheus/rules.yml) group by these labels.
 * @module
 */
import deploy from "../../nix/deploy.json" with { type: "json" };

/** The app label of every object of a run, and the Prometheus job its pods are scraped under. */
export const APP = "hls-swarm";

/** The container's name, which the Job's podFailurePolicy names. */
export const CONTAINER = "hls-swarm";

/** Pod label holding the run id. */
export const RUN_ID_LABEL = "hls-swarm/run-id";

/** The label Kubernetes puts on every pod of an Indexed Job: its completion index. */
export const INDEX_LABEL = "batch.kubernetes.io/job-completion-index";

/** The label Kubernetes puts on every pod of a Job: the Job's name. */
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/** The metrics port's name and number: the client image's, from nix/deploy.json. */
export const METRICS_PORT = { name: "metrics", number: deploy.client.ports.metrics } as const;

/** How often Prometheus scrapes a shard: 4 samples in the rules' 1 m rate window. */
export const SCRAPE_INTERVAL = "15s";

/**
 * Prometheus' meta label for a pod label: every character outside `[a-zA-Z0-9_]` becomes `_`.
 *
 * @example
 * ```ts
 * podLabelMeta("hls-swarm/run-id"); // "__meta_kubernetes_pod_label_hls_swarm_run_id"
 * ```
 */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** One relabelling step, in Prometheus' terms. */
export interface Relabel {
  sourceLabels?: string[];
  regex?: string;
  targetLabel?: string;
  replacement?: string;
  action?: "keep" | "replace";
}

/**
 * The target labels of a shard: `shard` from the completion index, `run_id` from the pod label
 * (the series carry run_id already, but `up` does not, and "shards up" counts `up`), and the
 * job name fixed to `hls-swarm`, so the rules match with and without the operator (which would
 * name it `<namespace>/<podmonitor>`).
 */
export const RELABELLING: readonly Relabel[] = [
  { sourceLabels: [podLabelMeta(INDEX_LABEL)], targetLabel: "shard" },
  { sourceLabels: [podLabelMeta(RUN_ID_LABEL)], targetLabel: "run_id" },
  { targetLabel: "job", replacement: APP },
];

/**
 * What a plain `kubernetes_sd_configs` pod job needs before {@linkcode RELABELLING} to do what a
 * PodMonitor's selector and port do: keep hls-swarm pods, on the metrics port only, and name
 * the namespace and pod as the operator does.
 */
export const POD_DISCOVERY: readonly Relabel[] = [
  { sourceLabels: [podLabelMeta("app.kubernetes.io/name")], regex: APP, action: "keep" },
  {
    sourceLabels: ["__meta_kubernetes_pod_container_port_name"],
    regex: METRICS_PORT.name,
    action: "keep",
  },
  { sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace" },
  { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod" },
];

/** A relabelling step in Prometheus' own configuration syntax (snake_case). */
export interface PrometheusRelabel {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/**
 * A step in Prometheus' configuration syntax.
 *
 * @example
 * ```ts
 * toPrometheus({ sourceLabels: ["a"], targetLabel: "b" }); // { source_labels: ["a"], target_label: "b" }
 * ```
 */
export function toPrometheus(r: Relabel): PrometheusRelabel {
  return {
    ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action ? { action: r.action } : {}),
  };
}
