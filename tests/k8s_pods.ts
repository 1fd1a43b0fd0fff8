/**
 * Pods as `kubectl get pods -o json` lists them, in the states the start barrier and the
 * progress lines tell apart. Written by hand from the Pod API's status fields (no cluster runs
 * here to record them): the scheduler's PodScheduled=False condition, a container waiting with
 * the kubelet's reason and message, one terminated with its exit code.
 * @module
 */

/** An item of a pod list: shard `index` of run `runId`, created at `created`. */
function pod(runId: string, index: number, status: Record<string, unknown>, created = "") {
  return {
    metadata: {
      name: `${runId}-${index}-${created ? "new" : "pod"}`,
      creationTimestamp: created || "2030-06-01T11:58:00Z",
      labels: {
        "batch.kubernetes.io/job-completion-index": String(index),
        "batch.kubernetes.io/job-name": runId,
      },
    },
    status,
  };
}

const scheduled = [{ type: "PodScheduled", status: "True" }];

/** Waiting at the barrier: its init container runs, the shard's waits to be created. */
export const atBarrier = (runId: string, index: number, created = "") =>
  pod(runId, index, {
    phase: "Pending",
    conditions: scheduled,
    initContainerStatuses: [{
      name: "barrier",
      state: { running: { startedAt: "2030-06-01T11:58:10Z" } },
    }],
    containerStatuses: [{ name: "hls-swarm", state: { waiting: { reason: "PodInitializing" } } }],
  }, created);

/** Not scheduled: no node has room. */
export const unschedulable = (runId: string, index: number) =>
  pod(runId, index, {
    phase: "Pending",
    conditions: [{
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are " +
        "available: 3 No preemption victims found for incoming pod.",
    }],
  });

/** Scheduled, but the image does not pull (ErrImagePull first, then ImagePullBackOff). */
export const pulling = (runId: string, index: number, reason = "ImagePullBackOff") =>
  pod(runId, index, {
    phase: "Pending",
    conditions: scheduled,
    initContainerStatuses: [{
      name: "barrier",
      state: {
        waiting: {
          reason,
          message: 'Back-off pulling image "registry.example/hls-swarm:0.1.0"',
        },
      },
    }],
  });

/** Its barrier init container failed (restartPolicy Never: the pod fails). */
export const failedAtBarrier = (runId: string, index: number) =>
  pod(runId, index, {
    phase: "Failed",
    conditions: scheduled,
    initContainerStatuses: [{
      name: "barrier",
      state: { terminated: { exitCode: 1, reason: "Error" } },
    }],
  });

/** The shard's container runs. */
export const running = (runId: string, index: number) =>
  pod(runId, index, {
    phase: "Running",
    conditions: scheduled,
    initContainerStatuses: [{
      name: "barrier",
      state: { terminated: { exitCode: 0, reason: "Completed" } },
    }],
    containerStatuses: [{
      name: "hls-swarm",
      state: { running: { startedAt: "2030-06-01T11:59:00Z" } },
    }],
  });

/** The shard's container restarts and crashes (it would under restartPolicy OnFailure). */
export const crashLooping = (runId: string, index: number) =>
  pod(runId, index, {
    phase: "Running",
    conditions: scheduled,
    containerStatuses: [{
      name: "hls-swarm",
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: "back-off 40s restarting failed container=hls-swarm",
        },
      },
    }],
  });
