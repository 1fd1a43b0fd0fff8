/**
 * Pod states and the lines about stuck shards, from pod lists in every state the barrier and
 * the progress lines tell apart (tests/k8s_pods.ts).
 */
import { assertEquals } from "../src/testing/assert.ts";
import {
  atBarrier,
  crashLooping,
  failedAtBarrier,
  pulling,
  running,
  unschedulable,
} from "./k8s_pods.ts";
import { latestByIndex, podStates, stageCounts, stuckText } from "../src/k8s/pod_state.ts";

const list = (items: unknown[]) => ({ kind: "List", items });
const FINE = ["barrier", "running", "succeeded"] as const;

Deno.test("podStates: each pod's stage and, when stuck, Kubernetes' reason", () => {
  const states = podStates(list([
    atBarrier("r", 0),
    unschedulable("r", 1),
    pulling("r", 2, "ErrImagePull"),
    pulling("r", 3),
    failedAtBarrier("r", 4),
    running("r", 5),
    crashLooping("r", 6),
    { metadata: { name: "no-index" }, status: { phase: "Running" } },
  ]));
  assertEquals(states.map((s) => [s.index, s.stage, s.reason]), [
    [0, "barrier", null],
    [
      1,
      "pending",
      "Unschedulable: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are " +
      "available: 3 No preemption victims found for incoming pod.",
    ],
    [2, "pending", 'ErrImagePull: Back-off pulling image "registry.example/hls-swarm:0.1.0"'],
    [3, "pending", 'ImagePullBackOff: Back-off pulling image "registry.example/hls-swarm:0.1.0"'],
    [4, "failed", "barrier exited 1 (Error)"],
    [5, "running", null],
    [6, "pending", "CrashLoopBackOff: back-off 40s restarting failed container=hls-swarm"],
  ]);
  const byIndex = latestByIndex(states);
  assertEquals(stageCounts(byIndex), "1 at the barrier, 4 pending, 1 failed, 1 running");
  assertEquals(
    stuckText(byIndex, 8, FINE),
    "shard 1 pending: Unschedulable: 0/3 nodes are available: 3 Insufficient memory. " +
      "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.; " +
      'shard 2 pending: ErrImagePull: Back-off pulling image "registry.example/hls-swarm:0.1.0"; ' +
      'shard 3 pending: ImagePullBackOff: Back-off pulling image "registry.example/hls-swarm:0.1.0"; ' +
      "shard 4 failed: barrier exited 1 (Error); " +
      "shard 6 pending: CrashLoopBackOff: back-off 40s restarting failed container=hls-swarm; " +
      "shard 7 no pod yet",
  );
});

Deno.test("latestByIndex: a replaced pod's successor stands for its shard", () => {
  const byIndex = latestByIndex(podStates(list([
    failedAtBarrier("r", 0),
    atBarrier("r", 0, "2030-06-01T11:59:30Z"),
  ])));
  assertEquals([byIndex.get(0)?.name, byIndex.get(0)?.stage], ["r-0-new", "barrier"]);
  assertEquals(stuckText(byIndex, 1, FINE), "");
});

Deno.test("stuckText: shards with the same reason on one line, at most 8 listed", () => {
  const items = Array.from({ length: 20 }, (_, i) => i < 2 ? atBarrier("r", i) : pulling("r", i));
  assertEquals(
    stuckText(latestByIndex(podStates(list(items))), 22, FINE),
    "shards 2, 3, 4, 5, 6, 7, 8, 9 +10 more pending: ImagePullBackOff: Back-off pulling image " +
      '"registry.example/hls-swarm:0.1.0"; shards 20, 21 no pod yet',
  );
  assertEquals(stageCounts(new Map()), "no pods");
});
