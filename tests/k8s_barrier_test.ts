/**
 * The start barrier of `hls-swarm k8s run` (src/k8s/barrier.ts, src/k8s/start.ts), with
 * hls-swarm as a real process and a fake kubectl on PATH (testdata/k8s/fake-kubectl) that
 * answers pod lists in the states of tests/k8s_pods.ts: without --start-at, the Job's pods wait
 * in an init container until every shard's pod runs; then `k8s run` creates the start ConfigMap,
 * `--start-lead` ahead; until then it says which shards are stuck and why; at
 * `--barrier-timeout`, or when a pod fails first, it deletes the run and exits 1. And the
 * in-pod half, `hls-swarm k8s barrier FILE`, as a real process.
 */
import type { ConfigMap } from "kubernetes-models/v1";
import type { Job } from "kubernetes-models/batch/v1";
import type { K8sObject } from "../src/k8s/manifests.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { SWARM_ARGV } from "./helpers.ts";
import { fakeKubectl, kubectlDecodeLoss, parseYaml, run, validate } from "./k8s_helpers.ts";
import { atBarrier, failedAtBarrier, pulling, running, unschedulable } from "./k8s_pods.ts";

const URL = "http://origin:17080/stream.m3u8";
const ARGS = ["k8s", "run", "--shards=4", "--clients=8", "--duration=10s", "--poll=100ms"];
const getPods = (runId: string) => [
  "get",
  "pods",
  "-l",
  `batch.kubernetes.io/job-name=${runId}`,
  "-o",
  "json",
];

Deno.test("k8s run waits until every pod is at the barrier, says why not, then sets the start", async () => {
  const runId = "barrier-run";
  const fake = await fakeKubectl(runId, {
    pods: [],
    completedIndexes: "",
    failedIndexes: "0-3",
    podLists: [
      [atBarrier(runId, 0), unschedulable(runId, 1), pulling(runId, 2)],
      [0, 1, 2, 3].map((i) => atBarrier(runId, i)),
      [0, 1, 2, 3].map((i) => running(runId, i)),
    ],
  });
  try {
    const before = Date.now();
    const out = await fake.run([
      ...ARGS,
      `--run-id=${runId}`,
      `--out=${fake.dir}/out`,
      "--start-lead=90s",
      URL,
    ]);
    const after = Date.now();
    const lines = out.stderr.split("\n").filter((l) => l.startsWith("hls-swarm k8s:"));
    console.log(lines.join("\n"));
    // No shard printed a summary (the fake's logs are empty): 5, after the barrier passed.
    assertEquals(out.code, 5, out.stderr);
    assert(
      lines.some((l) =>
        l.includes(
          "barrier: 1 at the barrier, 2 pending of 4; shard 1 pending: Unschedulable: 0/3 nodes " +
            "are available: 3 Insufficient memory.",
        ) &&
        l.includes(
          'shard 2 pending: ImagePullBackOff: Back-off pulling image "registry.example/' +
            'hls-swarm:0.1.0"; shard 3 no pod yet',
        )
      ),
      "the first look names each stuck shard and why",
    );
    const released = lines.find((l) => l.includes("released: the shards start at "));
    assert(released?.includes("barrier: all 4 pods wait after"), out.stderr);
    const startAt = released!.split("start at ")[1];
    const t = Date.parse(startAt);
    // --start-lead after the release, to the second (rounded up).
    assert(t >= before + 90_000 && t <= after + 91_000, `${startAt} is 90 s after the release`);

    // The start ConfigMap: the only place the start time is.
    const start = parseYaml((await fake.appliedStart())!, "1.2") as ConfigMap[];
    assertEquals(start.length, 1);
    assertEquals(start[0].metadata?.name, `${runId}-start`);
    assertEquals(start[0].data, { HLS_SWARM_START_AT: startAt });
    validate(start[0]);

    const docs = parseYaml(await fake.applied(), "1.2") as K8sObject[];
    for (const o of docs) validate(o);
    const cm = docs.find((o) => o.kind === "ConfigMap") as ConfigMap;
    assertEquals(cm.data?.HLS_SWARM_START_AT, undefined, "no start in the run's ConfigMap");
    const job = docs.find((o) => o.kind === "Job") as Job;
    assertEquals(await kubectlDecodeLoss(job), [], "kubectl 1.32's types keep every field");
    const pod = job.spec!.template.spec!;
    const [init] = pod.initContainers!;
    assertEquals(init.name, "barrier");
    assertEquals(init.image, pod.containers[0].image, "the same image: the same pull");
    assertEquals(init.command, undefined, "the image's entrypoint runs it");
    assertEquals(init.args, [
      "k8s",
      "barrier",
      "--timeout=1200s", // --barrier-timeout's 10m default, plus 10 minutes
      "/barrier/HLS_SWARM_START_AT",
    ]);
    assertEquals(init.securityContext, pod.containers[0].securityContext);
    assertEquals(pod.volumes?.find((v) => v.name === "barrier")?.configMap, {
      name: `${runId}-start`,
      optional: true,
    });
    assertEquals(pod.containers[0].env?.find((e) => e.name === "HLS_SWARM_START_AT"), {
      name: "HLS_SWARM_START_AT",
      valueFrom: { configMapKeyRef: { name: `${runId}-start`, key: "HLS_SWARM_START_AT" } },
    });

    const calls = (await fake.calls()).map((c) => c.join(" "));
    assertEquals(calls.slice(0, 5), [
      "apply -f -",
      getPods(runId).join(" "),
      getPods(runId).join(" "),
      "apply -f -",
      `get job ${runId} -o json`,
    ]);
  } finally {
    await Deno.remove(fake.dir, { recursive: true });
  }
});

Deno.test("k8s run: pods not all running by --barrier-timeout: the reasons, the run deleted, exit 1", async () => {
  const runId = "barrier-late";
  const fake = await fakeKubectl(runId, {
    pods: [],
    completedIndexes: "",
    failedIndexes: "",
    laterPods: [atBarrier(runId, 0), pulling(runId, 1, "ErrImagePull")],
  });
  try {
    const out = await fake.run([
      ...ARGS,
      `--run-id=${runId}`,
      `--out=${fake.dir}/out`,
      "--barrier-timeout=1s",
      URL,
    ]);
    const lines = out.stderr.split("\n").filter((l) => l.startsWith("hls-swarm k8s:"));
    console.log(lines.join("\n"));
    assertEquals(out.code, 1, out.stderr);
    const last = lines.find((l) => l.includes("not every pod runs after 1s (--barrier-timeout)"));
    assert(last?.includes("shard 1 pending: ErrImagePull: Back-off pulling image"), out.stderr);
    assert(last?.includes("shards 2, 3 no pod yet; not starting"), out.stderr);
    assert(lines.includes(`hls-swarm k8s: deleted run ${runId}`), out.stderr);
    const calls = (await fake.calls()).map((c) => c[0]);
    assertEquals(calls.at(-1), "delete");
    assert(!calls.includes("logs") && !calls.includes("get job") && !calls.includes("job"));
    assertEquals(await fake.appliedStart(), null, "never released");
    // The delete names the start ConfigMap too (it would exist had the release been near).
    const deleted = parseYaml(await Deno.readTextFile(`${fake.dir}/deleted.yaml`), "1.2");
    assertEquals(
      (deleted as K8sObject[]).map((o) => `${o.kind}/${o.metadata?.name}`),
      [
        `ConfigMap/${runId}`,
        `Service/${runId}`,
        `Job/${runId}`,
        `PodMonitor/${runId}`,
        `ConfigMap/${runId}-start`,
      ],
    );
  } finally {
    await Deno.remove(fake.dir, { recursive: true });
  }
});

Deno.test("k8s run: a pod that fails before the start ends the wait at once (exit 1)", async () => {
  const runId = "barrier-fail";
  const fake = await fakeKubectl(runId, {
    pods: [],
    completedIndexes: "",
    failedIndexes: "",
    podLists: [[atBarrier(runId, 0), failedAtBarrier(runId, 1)]],
  });
  try {
    const out = await fake.run([...ARGS, `--run-id=${runId}`, `--out=${fake.dir}/out`, URL]);
    assertEquals(out.code, 1, out.stderr);
    assert(out.stderr.includes("shard 1 failed before the start; not starting"), out.stderr);
    assert(out.stderr.includes("shard 1 failed: barrier exited 1 (Error)"), out.stderr);
    const calls = (await fake.calls()).map((c) => c[0]);
    assertEquals(calls, ["apply", "get", "delete"]);
  } finally {
    await Deno.remove(fake.dir, { recursive: true });
  }
});

/** `hls-swarm k8s barrier …` as a real process. */
function barrier(args: string[]) {
  return run(Deno.execPath(), [...SWARM_ARGV, "k8s", "barrier", ...args], {
    env: { NO_COLOR: "1" },
  });
}

Deno.test("hls-swarm k8s barrier FILE: waits through a missing and an empty file, exits 0 on a value, 1 at its timeout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-barrier-" });
  const file = `${dir}/HLS_SWARM_START_AT`;
  try {
    const waiting = barrier(["--timeout=60s", file]);
    // The kubelet writes a ConfigMap volume's files atomically; an empty one is waited through.
    await new Promise((r) => setTimeout(r, 1500));
    await Deno.writeTextFile(file, "");
    await new Promise((r) => setTimeout(r, 1500));
    await Deno.writeTextFile(file, "2030-06-01T12:00:00Z");
    const out = await waiting;
    assertEquals(out.code, 0, out.stderr);
    assert(out.stderr.includes(`waiting for ${file}`), out.stderr);
    assert(out.stderr.includes("released: 2030-06-01T12:00:00Z"), out.stderr);

    const late = await barrier(["--timeout=1s", `${dir}/never`]);
    assertEquals(late.code, 1, late.stderr);
    assert(late.stderr.includes("not released within 1 s"), late.stderr);
    const bad = await barrier(["--timeout=soon", file]);
    assertEquals(bad.code, 2, bad.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
