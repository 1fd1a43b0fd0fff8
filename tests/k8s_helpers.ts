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
import { runK8s } from "../src/cli/k8s_command.ts";
import type { K8sObject } from "../src/k8s/manifests.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { ROOT, SWARM_ARGV } from "./helpers.ts";

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

/** A pod of the fake cluster at the end of the run, with its log. */
export interface FakePod {
  index: number;
  phase: string;
  exitCode: number;
  log: string;
}

/** A data directory for testdata/k8s/fake-kubectl, and a bin directory where it is `kubectl`. */
export async function fakeKubectl(runId: string, job: {
  pods: FakePod[];
  completedIndexes: string;
  failedIndexes: string;
  /** What the first, second… `get pods` answer (the barrier's looks), before `pods`. */
  podLists?: unknown[][];
  /** Items that every later `get pods` answers, instead of `pods`'s. */
  laterPods?: unknown[];
}) {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fake-kubectl-" });
  await Deno.mkdir(`${dir}/bin`);
  await Deno.mkdir(`${dir}/logs`);
  await Deno.symlink(`${ROOT}testdata/k8s/fake-kubectl`, `${dir}/bin/kubectl`);
  await Deno.writeTextFile(`${dir}/run-id`, runId);
  const status = (s: Record<string, unknown>) => JSON.stringify({ kind: "Job", status: s });
  await Deno.writeTextFile(`${dir}/job-running.json`, status({ active: 4, ready: 2 }));
  await Deno.writeTextFile(
    `${dir}/job-done.json`,
    status({
      succeeded: 2,
      failed: 1,
      completedIndexes: job.completedIndexes,
      failedIndexes: job.failedIndexes,
      conditions: [{ type: "Failed", status: "True", reason: "FailedIndexes" }],
    }),
  );
  const items = job.pods.map((p) => ({
    metadata: {
      name: `${runId}-${p.index}-pod`,
      creationTimestamp: "2030-06-01T11:58:00Z",
      labels: { "batch.kubernetes.io/job-completion-index": String(p.index) },
    },
    status: {
      phase: p.phase,
      containerStatuses: [{
        name: "hls-swarm",
        state: { terminated: { exitCode: p.exitCode, reason: p.exitCode ? "Error" : "Completed" } },
      }],
    },
  }));
  await Deno.writeTextFile(
    `${dir}/pods.json`,
    JSON.stringify({ kind: "List", items: job.laterPods ?? items }),
  );
  for (const [i, list] of (job.podLists ?? []).entries()) {
    await Deno.writeTextFile(
      `${dir}/pods-${i + 1}.json`,
      JSON.stringify({ kind: "List", items: list }),
    );
  }
  for (const p of job.pods) {
    await Deno.writeTextFile(`${dir}/logs/${runId}-${p.index}-pod.log`, p.log);
  }
  return {
    dir,
    /** hls-swarm as a real process, with the fake first on PATH. */
    run: (args: string[]) =>
      run(Deno.execPath(), [...SWARM_ARGV, ...args], {
        env: {
          NO_COLOR: "1",
          PATH: `${dir}/bin:${Deno.env.get("PATH")}`,
          FAKE_KUBECTL_DIR: dir,
        },
      }),
    /** The calls so far, each as its arguments. */
    calls: async () =>
      (await Deno.readTextFile(`${dir}/calls`)).split("\n").filter(Boolean).map((l) =>
        l.split("\x1f")
      ),
    applied: () => Deno.readTextFile(`${dir}/applied.yaml`),
    /** The start barrier's ConfigMap, as applied, or null. */
    appliedStart: () => Deno.readTextFile(`${dir}/applied-start.yaml`).catch(() => null),
  };
}

/**
 * What kubectl's own API types lose of a pod-template object (a Job): `kubectl set env --local`
 * decodes it into k8s.io/api's Go types and prints it back, no cluster needed, with the
 * variable it sets (which the comparison ignores). A field the types lack is dropped; a wrong
 * type fails the command. Resolves with the paths of the leaves lost or changed.
 */
export async function kubectlDecodeLoss(o: unknown): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-kubectl-" });
  try {
    await Deno.writeTextFile(`${dir}/o.json`, JSON.stringify(o));
    const out = await run("kubectl", [
      "set",
      "env",
      "--local",
      "-f",
      `${dir}/o.json`,
      "HLS_SWARM_DECODE_CHECK=1",
      "-o",
      "json",
    ]);
    assertEquals(out.code, 0, out.stderr);
    return lost(o, JSON.parse(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The paths of `want`'s leaves that `got` lacks or holds otherwise. */
function lost(want: unknown, got: unknown, path = ""): string[] {
  if (typeof want !== "object" || want === null) return want === got ? [] : [path.slice(1)];
  if (typeof got !== "object" || got === null) return [path.slice(1)];
  return Object.entries(want).flatMap(([k, v]) =>
    lost(v, (got as Record<string, unknown>)[k], `${path}.${k}`)
  );
}
