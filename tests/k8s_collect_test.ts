/**
 * `hls-swarm k8s run --request-log --junit --timeline --markdown` against the fake kubectl of
 * tests/k8s_test.ts, with three real shards' pod logs (one client each against the built-in
 * origin, set up as the manifests set a pod up): each pod's request log is read from the frames
 * it printed into its log, written beside its summary, and merged with its shard; a pod whose
 * log lost a frame (as a rotated log does) is kept aside, said, and left out. The fleet's HTML
 * report lands in --out and --markdown is the merged fleet's. `k8s render` refuses the per-pod
 * output flags whose files would be lost with the pods.
 * @module
 */
import { parse as parseJunit } from "junit2json";
import { POD_REQUEST_LOG } from "../src/k8s/options.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { fakeKubectl, k8s } from "./k8s_helpers.ts";
import { readNdjson, runShards } from "./shard_outputs.ts";

const URL = "http://origin:17080/stream.m3u8";

Deno.test("k8s run collects each pod's request log from its log and merges the CI outputs", async () => {
  const runId = "k8s-collect-test";
  const work = await Deno.makeTempDir({ prefix: "hls-swarm-k8s-collect-" });
  try {
    const shards = await runShards(work, runId, 3);
    // Shard 2's log lost its first part, as a log rotated by kubelet does.
    const cut = shards[2].podLog.split("\n").filter((l) =>
      !l.startsWith("HLS_SWARM_FILE request-log part 0 ")
    ).join("\n");
    assert(cut.length < shards[2].podLog.length, "shard 2's log had a part 0");
    const fake = await fakeKubectl(runId, {
      pods: shards.map((s) => ({
        index: s.index,
        phase: "Succeeded",
        exitCode: 0,
        log: s.index === 2 ? cut : s.podLog,
      })),
      completedIndexes: "0-2",
      failedIndexes: "",
    });
    const out = `${fake.dir}/out`, fleet = (name: string) => `${fake.dir}/fleet-${name}`;
    const r = await fake.run([
      "k8s",
      "run",
      "--shards=3",
      "--clients=3",
      "--duration=8s",
      `--run-id=${runId}`,
      "--poll=100ms",
      "--start-at=2030-06-01T12:00:00Z",
      `--out=${out}`,
      `--request-log=${fleet("requests.ndjson")}`,
      `--junit=${fleet("junit.xml")}`,
      `--timeline=${fleet("timeline.csv")}`,
      `--markdown=${fleet("summary.md")}`,
      URL,
    ]);
    const said = r.stderr.split("\n").filter((l) => l.startsWith("hls-swarm k8s"));
    console.log(said.join("\n"));
    assertEquals(r.code, 0, r.stderr);
    // The pods were told to write it where k8s run then finds it: in their log.
    assert(
      (await fake.applied()).includes(`HLS_SWARM_REQUEST_LOG: ${POD_REQUEST_LOG}`),
      "the ConfigMap sets the pods' request log",
    );
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    console.log(`collected in --out: ${files.join(", ")}`);
    assertEquals(files, [
      "job-progress.json",
      "manifests.yaml",
      "report.html",
      "shard-0.json",
      "shard-0.log",
      "shard-0.requests.ndjson",
      "shard-1.json",
      "shard-1.log",
      "shard-1.requests.ndjson",
      "shard-2.json",
      "shard-2.log",
      "shard-2.requests.partial.ndjson",
      "summary.json",
    ]);
    for (const i of [0, 1]) {
      assertEquals(
        await Deno.readTextFile(`${out}/shard-${i}.requests.ndjson`),
        await Deno.readTextFile(shards[i].requestLog),
      );
    }
    assert(
      said.some((l) =>
        l.includes("shard 2: request log incomplete") && l.includes("part 0 of 1 not in the log")
      ),
      r.stderr,
    );
    // The merged request log: shards 0 and 1, each line with its shard; shard 2 left out.
    const merged = await readNdjson(fleet("requests.ndjson"));
    const want = [
      ...(await readNdjson(shards[0].requestLog)).map((l) => ({ shard: 0, ...l })),
      ...(await readNdjson(shards[1].requestLog)).map((l) => ({ shard: 1, ...l })),
    ];
    assert(want.length > 0, "the shards logged requests");
    assertEquals(merged, want);
    assert(r.stderr.includes("none given for shard 2"), r.stderr);
    // JUnit and the timeline are the merged fleet's (all three shards).
    const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
    assertEquals(summary.fleet.present, [0, 1, 2]);
    const junit = await parseJunit(await Deno.readTextFile(fleet("junit.xml")));
    assert(junit && "testsuite" in junit, "a <testsuites> document");
    assertEquals(junit.testsuite![0].testcase!.map((c) => c.name), [`run ${runId}`]);
    const rows = (await Deno.readTextFile(fleet("timeline.csv"))).trimEnd().split("\n").slice(1);
    assertEquals(rows.length, summary.snapshot.series.fields.segments.length);
    // The fleet's HTML report (in --out by default) and Markdown: the merged run, each shard.
    const html = await Deno.readTextFile(`${out}/report.html`);
    assert(
      html.includes(`data-exit-code="0"`) && html.includes("3 of 3 present"),
      "a fleet report",
    );
    const rows3 = [...html.matchAll(/data-key="shards\.(\d)\.traffic\.totalRequests"/g)];
    assertEquals(rows3.map((m) => Number(m[1])), [0, 1, 2], "a row per shard");
    const md = await Deno.readTextFile(fleet("summary.md"));
    assert(md.startsWith(`## hls-swarm ${runId}: ✅ PASS (exit 0, ok)`), md);
    assert(md.includes("Present: 0, 1, 2; missing: none"), md);
    // Like the summary, the fleet's files are their owner's alone.
    for (const name of ["requests.ndjson", "junit.xml", "timeline.csv", "summary.md"]) {
      assertEquals(((await Deno.stat(fleet(name))).mode! & 0o777).toString(8), "600", name);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("k8s render refuses per-pod output flags it cannot collect, exit 2", async () => {
  const ok = ["--shards=2", "--clients=4", "--duration=1m"];
  for (
    const [flag, message] of [
      ["--timeline=/tmp/x.csv", "timeline: a pod's file would be lost with the pod"],
      ["--junit=/tmp/x.xml", "junit: a pod's file would be lost with the pod"],
      ["--request-log=/tmp/x.ndjson", "request-log: a pod's file would be lost with the pod"],
      ["--html=/tmp/x.html", "html: a pod's file would be lost with the pod"],
      ["--markdown=/tmp/x.md", "markdown: a pod's file would be lost with the pod"],
    ]
  ) {
    const r = await k8s(["render", ...ok, flag, URL]);
    assertEquals(r.code, 2, r.stderr);
    assert(r.stderr.includes(message), r.stderr);
    assertEquals(r.stdout, "");
  }
});
