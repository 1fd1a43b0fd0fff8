/**
 * What the Kubernetes tests share: `hls-swarm k8s …` in process, YAML parsing under both YAML
 * versions, and validation against the Kubernetes and prometheus-operator schemas.
 * @module
 */
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { Job } from "kubernetes-models/batch/v1";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { parseAllDocuments } from "yaml";
import { runMerge } from "../src/cli/merge_command.ts";
import { runK8s } from "../src/k8s/cli.ts";
import type { K8sObject } from "../src/k8s/manifests.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { ROOT } from "./helpers.ts";

export const decoder = new TextDecoder();
export const GOLDEN = `${ROOT}testdata/k8s/`;

/** Runs a command to completion. */
export async function run(cmd: string, args: string[], opts: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdin: "null", ...opts }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** `hls-swarm k8s …` in process, with its output captured. */
export async function k8s(args: string[]) {
  let stdout = "", stderr = "";
  const io = {
    env: {},
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    stdoutIsTerminal: false,
    stderrIsTerminal: false,
  };
  const code = await runK8s(args, io, { merge: (a) => runMerge(a, io) });
  return { code, stdout, stderr };
}

/** Every document of a YAML stream, parsed under `version`; fails on any parse error. */
export function parseYaml(text: string, version: "1.1" | "1.2"): unknown[] {
  return parseAllDocuments(text, { version }).map((d) => {
    assertEquals(d.errors.map(String), []);
    return d.toJS();
  });
}

const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "batch/v1/Job": Job,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
};

/** Validates one object against its schema; returns a line for the log, or throws. */
export function validate(o: unknown): string {
  const { apiVersion, kind, metadata } = o as K8sObject;
  const Model = MODELS[`${apiVersion}/${kind}`];
  assert(Model !== undefined, `no schema for ${apiVersion} ${kind}`);
  new Model(o as never).validate();
  const schema = kind === "PodMonitor"
    ? "prometheus-operator CRD schema (@kubernetes-models/prometheus-operator 6.0.0)"
    : "Kubernetes OpenAPI schema (kubernetes-models 5.1.0)";
  return `valid: ${apiVersion} ${kind} ${metadata?.name} against the ${schema}`;
}
