/**
 * The Job of `hls-swarm k8s render` as a Pod that `podman kube play` runs (it runs Pods, not
 * Jobs): the Job's pod template, unchanged where it matters (security context, envFrom of the
 * ConfigMap and Secret, emptyDir /tmp, image), plus what Kubernetes or this machine would add.
 * Used by tests/image_test.ts.
 * @module
 */
import { parseAllDocuments } from "yaml";

type Doc = Record<string, unknown>;
interface Container {
  name: string;
  env?: { name: string; value: string }[];
  ports?: { name: string; containerPort: number }[];
  [key: string]: unknown;
}
interface PodSpec {
  containers: Container[];
  [key: string]: unknown;
}

/** What the test changes, and why each change is needed. */
export interface PodOptions {
  /** The pod's name (the Job's, with the index, as Kubernetes names Indexed Job pods). */
  name: string;
  /** Shard index; Kubernetes sets JOB_COMPLETION_INDEX in an Indexed Job's pods. */
  index: number;
  /**
   * The metrics port: the pod shares the host's network (the origin listens on loopback), so the
   * Job's fixed 17091 could collide with another test's swarm; the env var and port follow it.
   */
  metricsPort: number;
}

/**
 * The ConfigMap, the Secret and a Pod made of the Job's template, as one YAML stream for
 * `podman kube play`. The Service and PodMonitor are left out (podman has no use for them).
 *
 * @example Not run: it needs the YAML of `k8s render`
 * ```ts ignore
 * const yaml = podFromRender(renderedYaml, { name: "run-1-0", index: 0, metricsPort: 17500 });
 * ```
 */
export function podFromRender(rendered: string, opts: PodOptions): string {
  const docs = parseAllDocuments(rendered).map((d) => d.toJS() as Doc);
  const job = docs.find((d) => d.kind === "Job");
  if (!job) throw new Error("k8s render printed no Job");
  const template = (job.spec as { template: { metadata: Doc; spec: PodSpec } }).template;
  const spec: PodSpec = structuredClone(template.spec);
  const [container] = spec.containers;
  container.env = [
    ...(container.env ?? []).map((e) =>
      e.name === "HLS_SWARM_METRICS" ? { ...e, value: `0.0.0.0:${opts.metricsPort}` } : e
    ),
    { name: "JOB_COMPLETION_INDEX", value: String(opts.index) },
  ];
  // podman refuses port mappings on the host's network ("PortMappings can only be used with
  // Bridge or slirp4netns networking"); with it, the port needs no mapping.
  delete container.ports;
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...template.metadata, name: opts.name },
    // The origin of the test listens on the host's loopback.
    spec: { ...spec, hostNetwork: true },
  };
  const kept = docs.filter((d) => d.kind === "ConfigMap");
  return [...kept, pod].map((d) => JSON.stringify(d)).join("\n---\n") + "\n";
}

/**
 * The rendered Secret as podman 4.3 reads it for `envFrom: secretRef`: a podman secret of that
 * name holding a JSON object of base64 values (its `k8sSecretFromSecretManager`). podman 4.3's
 * kube play stores a Secret given in the YAML as YAML and then fails to read it back ("secret …
 * is not valid JSON"), so the test creates the podman secret itself.
 * Null when the render has no Secret.
 *
 * @example Not run: it needs the YAML of `k8s render`
 * ```ts ignore
 * const secret = podmanSecret(renderedYaml); // { name: "run-1", json: '{"HLS_SWARM_HEADER":"…"}' }
 * ```
 */
export function podmanSecret(rendered: string): { name: string; json: string } | null {
  const docs = parseAllDocuments(rendered).map((d) => d.toJS() as Doc);
  const secret = docs.find((d) => d.kind === "Secret");
  if (!secret) return null;
  const plain = (secret.stringData ?? {}) as Record<string, string>;
  const data = Object.fromEntries(
    Object.entries(plain).map((
      [k, v],
    ) => [k, btoa(String.fromCharCode(...new TextEncoder().encode(v)))]),
  );
  const name = (secret.metadata as { name: string }).name;
  return {
    name,
    json: JSON.stringify(data),
  };
}
