/**
 * The Kubernetes version a run needs, and why: every field the Job and its pod template use,
 * with the release from which it works on a default cluster (beta and on by default, or GA).
 * tests/k8s_test.ts walks the rendered Job and fails on a field missing here, so a new field
 * cannot raise the minimum unnoticed; the minimum is the latest release in the table.
 * @module
 */

/** The oldest Kubernetes release a run works on: backoffLimitPerIndex and podReplacementPolicy. */
export const MIN_KUBERNETES = "1.29";

/**
 * Fields of the Job spec (`spec.X`), the pod spec (`spec.template.spec.X`) and the container
 * (`…containers[].X`), with the release from which a default cluster honours them. Fields older
 * than 1.20 are listed as "1.20" (no supported cluster lacks them).
 */
export const FIELD_SINCE: Readonly<Record<string, string>> = {
  // Job spec.
  "job.completionMode": "1.24", // Indexed Jobs GA
  "job.completions": "1.20",
  "job.parallelism": "1.20",
  "job.backoffLimitPerIndex": "1.29", // beta, on by default (GA 1.33)
  "job.podReplacementPolicy": "1.29", // beta, on by default (GA 1.34)
  "job.podFailurePolicy": "1.26", // beta, on by default (GA 1.31)
  "job.ttlSecondsAfterFinished": "1.23",
  "job.template": "1.20",
  // Pod spec.
  "pod.restartPolicy": "1.20",
  "pod.subdomain": "1.20",
  "pod.terminationGracePeriodSeconds": "1.20",
  "pod.enableServiceLinks": "1.20",
  "pod.securityContext": "1.20", // its sysctls and seccompProfile too (GA 1.21, 1.19)
  "pod.topologySpreadConstraints": "1.20",
  "pod.nodeSelector": "1.20",
  "pod.tolerations": "1.20",
  "pod.imagePullSecrets": "1.20",
  "pod.initContainers": "1.20",
  "pod.containers": "1.20",
  "pod.volumes": "1.20",
  // Container.
  "container.name": "1.20",
  "container.image": "1.20",
  "container.imagePullPolicy": "1.20",
  "container.args": "1.20",
  "container.envFrom": "1.20",
  "container.env": "1.20",
  "container.ports": "1.20",
  "container.resources": "1.20",
  "container.startupProbe": "1.20", // GA 1.20
  "container.livenessProbe": "1.20",
  "container.readinessProbe": "1.20",
  "container.securityContext": "1.20",
  "container.volumeMounts": "1.20",
};

/**
 * Compares two "major.minor" releases.
 *
 * @example
 * ```ts
 * compareReleases("1.29", "1.3"); // > 0
 * ```
 */
export function compareReleases(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number), [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
}
