/**
 * Where a run's pods may go and what they carry, from `--node-selector`, `--toleration`,
 * `--label` and `--image-pull-secret`: checked here with Kubernetes' own rules for names and
 * values (so a typo is exit 2 before anything is applied, not a Job the API server refuses), and
 * written into the Job's pod template by src/k8s/manifests.ts.
 * @module
 */
import type { IToleration } from "kubernetes-models/v1/Toleration";
import { APP, INDEX_LABEL, JOB_NAME_LABEL, RUN_ID_LABEL } from "./labels.ts";

/** The scheduling and labelling of a run's pods. */
export interface Scheduling {
  /** The pod's nodeSelector: every label must match the node's. */
  nodeSelector: Record<string, string>;
  tolerations: IToleration[];
  /** Extra labels on every object and pod of the run (selectors keep to the run's own). */
  labels: Record<string, string>;
  /** Secrets of type kubernetes.io/dockerconfigjson that pull the image. */
  imagePullSecrets: string[];
}

/** No placement, no extra label, no pull secret. */
export const NO_SCHEDULING: Scheduling = {
  nodeSelector: {},
  tolerations: [],
  labels: {},
  imagePullSecrets: [],
};

/** The flags as given (each repeatable). */
export interface SchedulingFlags {
  nodeSelector?: string[];
  toleration?: string[];
  label?: string[];
  imagePullSecret?: string[];
}

/** The taint effects Kubernetes knows. */
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** A DNS-1123 subdomain (Secret names, label key prefixes): at most 253 characters. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label name, and a label value when not empty: at most 63 characters. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `key` is not a label key (`[prefix/]name`), or null when it is one. */
export function labelKeyError(key: string): string | null {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = key.slice(slash + 1);
  if (prefix !== null && (!SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    return `key prefix "${prefix}" must be a DNS subdomain (lower-case letters, digits, "-", ".")`;
  }
  if (!LABEL_NAME.test(name) || name.length > 63) {
    return `key name "${name}" must be 1-63 letters, digits, "-", "_" or ".", starting and ` +
      "ending with a letter or digit";
  }
  return null;
}

/** Why `value` is not a label value, or null when it is one (the empty value is one). */
export function labelValueError(value: string): string | null {
  return value === "" || (LABEL_NAME.test(value) && value.length <= 63)
    ? null
    : `value "${value}" must be at most 63 letters, digits, "-", "_" or ".", starting and ` +
      "ending with a letter or digit";
}

/** `k=v` as a label pair, or the reason it is not one. */
function pair(flag: string, text: string): [string, string] | string {
  const eq = text.indexOf("=");
  if (eq < 0) return `${flag}: expected KEY=VALUE (got "${text}")`;
  const [key, value] = [text.slice(0, eq), text.slice(eq + 1)];
  const why = labelKeyError(key) ?? labelValueError(value);
  return why ? `${flag}: "${text}": ${why}` : [key, value];
}

/**
 * A toleration from `KEY=VALUE[:EFFECT]` (operator Equal) or `KEY[:EFFECT]` (operator Exists:
 * any value of the taint); `KEY:Exists` is the same as `KEY`. Without an effect, every effect
 * is tolerated. The form is kubectl taint's, so a node's taint can be copied as it is.
 *
 * @example
 * ```ts
 * toleration("pool=load:NoSchedule"); // { key: "pool", operator: "Equal", value: "load", effect: "NoSchedule" }
 * toleration("spot:Exists"); // { key: "spot", operator: "Exists" }
 * ```
 */
export function toleration(text: string): IToleration | string {
  const colon = text.lastIndexOf(":");
  const head = colon >= 0 ? text.slice(0, colon) : text;
  const tail = colon >= 0 ? text.slice(colon + 1) : null;
  const bad = (why: string) => `toleration: "${text}": ${why}`;
  const effect = EFFECTS.find((e) => e === tail);
  if (tail !== null && tail !== "Exists" && !effect) {
    return bad(`effect must be ${EFFECTS.join(", ")} or Exists (got "${tail}")`);
  }
  const eq = head.indexOf("=");
  const key = eq >= 0 ? head.slice(0, eq) : head;
  const why = labelKeyError(key) ?? (eq >= 0 ? labelValueError(head.slice(eq + 1)) : null);
  if (why) return bad(why);
  if (tail === "Exists" && eq >= 0) return bad("KEY=VALUE:Exists: Exists takes no value");
  return eq >= 0
    ? { key, operator: "Equal", value: head.slice(eq + 1), ...(effect ? { effect } : {}) }
    : { key, operator: "Exists", ...(effect ? { effect } : {}) };
}

/** Label keys a run sets itself (or Kubernetes sets on its pods), which --label cannot set. */
const OWN_LABELS = ["app.kubernetes.io/name", RUN_ID_LABEL, INDEX_LABEL, JOB_NAME_LABEL];

/**
 * The scheduling of the flags, or every problem found (one line each).
 *
 * @example
 * ```ts
 * const errors: string[] = [];
 * schedulingOf({ nodeSelector: ["pool=load"], imagePullSecret: ["regcred"] }, errors);
 * errors; // []
 * ```
 */
export function schedulingOf(flags: SchedulingFlags, errors: string[]): Scheduling {
  const out: Scheduling = { nodeSelector: {}, tolerations: [], labels: {}, imagePullSecrets: [] };
  for (
    const [flag, texts, into] of [
      ["node-selector", flags.nodeSelector, out.nodeSelector],
      ["label", flags.label, out.labels],
    ] as const
  ) {
    for (const text of texts ?? []) {
      const p = pair(flag, text);
      if (typeof p === "string") errors.push(p);
      else if (flag === "label" && OWN_LABELS.includes(p[0])) {
        errors.push(`label: "${p[0]}" is the run's own label (${APP} sets it)`);
      } else if (p[0] in into && into[p[0]] !== p[1]) {
        errors.push(`${flag}: "${p[0]}" given twice, with different values`);
      } else into[p[0]] = p[1];
    }
  }
  for (const text of flags.toleration ?? []) {
    const t = toleration(text);
    if (typeof t === "string") errors.push(t);
    else out.tolerations.push(t);
  }
  for (const name of flags.imagePullSecret ?? []) {
    if (!SUBDOMAIN.test(name) || name.length > 253) {
      errors.push(
        `image-pull-secret: "${name}" must be a Secret name (lower-case letters, digits, "-", ".")`,
      );
    } else if (!out.imagePullSecrets.includes(name)) out.imagePullSecrets.push(name);
  }
  return out;
}
