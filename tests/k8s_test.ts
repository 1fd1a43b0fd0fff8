/**
 * The Kubernetes deployment: the committed kustomize base is what the code generates and
 * `kubectl kustomize` renders it (with the README's overlay, credentials included); `hls-swarm k8s render` matches its golden files; every object
 * validates against the Kubernetes schemas (kubernetes-models) and the PodMonitor against the
 * prometheus-operator CRD's (@kubernetes-models/prometheus-operator); the YAML reads back the
 * same under YAML 1.1 and 1.2; credentials are in a Secret and nowhere else, and `k8s render` says
 * so; the sizing is nix/sizing.nix's; bad flags exit 2; and
 * `hls-swarm k8s run` against a fake kubectl on PATH collects real shard summaries (from two
 * tiny real shards), reports a failed index and a missing shard, and merges, into files of mode
 * 0600.
 */
import type { ConfigMap, Secret } from "kubernetes-models/v1";
import type { Job } from "kubernetes-models/batch/v1";
import type { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { baseSpec, generatedFiles } from "../src/k8s/base.ts";
import { envName, EXTRA_ENV, FLAGS } from "../src/config/flags.ts";
import { secretWarning } from "../src/k8s/credentials.ts";
import { type K8sObject, runObjects } from "../src/k8s/manifests.ts";
import { DEFAULT_IMAGE } from "../src/k8s/options.ts";
import { PER_POD, PER_THOUSAND, podResources, sizing } from "../src/k8s/sizing.ts";
import { toYamlStream } from "../src/k8s/yaml.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { VERSION } from "../src/version.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { finishSwarm, ROOT, spawnSwarm, uniqueAgent } from "./helpers.ts";
import { fakeKubectl, GOLDEN, k8s, parseYaml, run, validate } from "./k8s_helpers.ts";

/** The renders under test, each with its golden file. */
const RENDERS: Record<string, string[]> = {
  "render-4-shards.yaml": [
    "render",
    "--shards=4",
    "--clients=400",
    "--ramp-rate=20",
    "--duration=10m",
    "--run-id=golden-run",
    "--start-at=2030-06-01T12:00:00Z",
    "--image=registry.example/hls-swarm:0.1.0",
    "--namespace=load",
    "--header=X-Load-Test: hls-swarm",
    "--variant=highest",
    "--no-reconnect",
    "--shutdown-grace=20s",
    "http://origin.example:17080/live/stream.m3u8",
  ],
  // 6000 clients a shard need more local ports than Linux's default range: the sysctl. The
  // swarm's short flags (-c, -d) work here too.
  "render-2-shards-large.yaml": [
    "render",
    "--shards=2",
    "-c",
    "12000",
    "--ramp-rate=100",
    "-d",
    "1h",
    "--run-id=golden-large",
    "--start-at=2030-06-01T12:00:00Z",
    "--no-pod-monitor",
    "https://cdn.example/live/stream.m3u8?token=yes",
  ],
};

/** The credentials of {@linkcode SECRET_RENDER}: a bearer token, a password, a query token, a key. */
const CREDENTIALS = {
  X: "Xbearer7f3a9c",
  P: "Ppass51e2d4",
  T: "Ttoken88d0b7",
  K: "Kapikey3b1c6",
};
const SECRET_RENDER = [
  "render",
  "--shards=2",
  "--clients=4",
  "--duration=1m",
  "--run-id=secret-run",
  "--start-at=2030-06-01T12:00:00Z",
  `--header=Authorization: Bearer ${CREDENTIALS.X}`,
  `--header=X-Api-Key: ${CREDENTIALS.K}`,
  "--redact-header=X-Api-Key",
  "--header=X-Load-Test: hls-swarm",
  `https://u:${CREDENTIALS.P}@cdn.example/live.m3u8?token=${CREDENTIALS.T}`,
];

Deno.test("the kustomize base is what src/k8s/base.ts generates, and kubectl kustomize renders it", async () => {
  for (const [path, text] of Object.entries(generatedFiles())) {
    const committed = await Deno.readTextFile(`${ROOT}${path}`).catch(() => "(missing)");
    assertEquals(committed, text, `${path} is stale: run \`deno task k8s:base\``);
  }
  const out = await run("kubectl", ["kustomize", `${ROOT}deploy/kubernetes`]);
  assertEquals(out.code, 0, out.stderr);
  const rendered = parseYaml(out.stdout, "1.1");
  const expected = JSON.parse(JSON.stringify(runObjects(baseSpec())));
  assertEquals(rendered, expected);
  console.log(`kubectl kustomize deploy/kubernetes: ${rendered.length} objects`);
  for (const o of rendered) console.log(validate(o));
});

Deno.test("the README's kustomize overlay renders: 8 shards, its URL, start time, image and Secret", async () => {
  const readme = await Deno.readTextFile(`${ROOT}deploy/kubernetes/README.md`);
  const overlay = /```yaml\n(# overlays\/my-run\/kustomization.yaml\n[\s\S]*?)```/.exec(readme)
    ?.[1];
  assert(overlay, "the overlay example in deploy/kubernetes/README.md");
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-overlay-" });
  try {
    await Deno.mkdir(`${dir}/overlays/my-run`, { recursive: true });
    await Deno.symlink(`${ROOT}deploy`, `${dir}/deploy`);
    await Deno.writeTextFile(`${dir}/overlays/my-run/kustomization.yaml`, overlay);
    const header = `Authorization: Bearer ${CREDENTIALS.X}`;
    await Deno.writeTextFile(
      `${dir}/overlays/my-run/credentials.env`,
      `HLS_SWARM_HEADER=${header}\n`,
    );
    const out = await run("kubectl", ["kustomize", `${dir}/overlays/my-run`]);
    assertEquals(out.code, 0, out.stderr);
    const docs = parseYaml(out.stdout, "1.1") as K8sObject[];
    const cm = docs.find((o) => o.kind === "ConfigMap") as ConfigMap;
    const job = docs.find((o) => o.kind === "Job") as Job;
    assertEquals(cm.data?.HLS_SWARM_START_AT, "2030-06-01T12:00:00Z");
    assertEquals(cm.data?.HLS_SWARM_URL, "https://cdn.example/live/stream.m3u8");
    const container = job.spec!.template.spec!.containers[0];
    assertEquals([job.spec?.completions, job.spec?.parallelism], [8, 8]);
    assertEquals(container.env?.find((e) => e.name === "HLS_SWARM_SHARDS")?.value, "8");
    assertEquals(container.image, `registry.example/hls-swarm:${VERSION}`);
    assert(docs.every((o) => o.metadata?.namespace === "load"));
    for (const o of docs) validate(o);
    // The credentials are in the generated Secret alone, and the pod reads it by its new name.
    const secret = docs.find((o) => o.kind === "Secret") as Secret;
    assertEquals(atob(secret.data!.HLS_SWARM_HEADER), header);
    assertEquals(
      docs.filter((o) => JSON.stringify(o).includes(CREDENTIALS.X)).map((o) => o.kind),
      [],
      "no object holds the token in clear text",
    );
    assert(/^hls-swarm-example-[a-z0-9]+$/.test(secret.metadata!.name!), secret.metadata!.name);
    assertEquals(container.envFrom, [
      { configMapRef: { name: "hls-swarm-example" } },
      { secretRef: { name: secret.metadata!.name } },
    ]);
    console.log(`overlay: Secret ${secret.metadata!.name}, read by the Job through secretRef`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("k8s render matches its golden files; every object validates; YAML 1.1 and 1.2 agree", async () => {
  const update = Deno.env.get("UPDATE_GOLDEN") === "1";
  for (const [file, args] of Object.entries(RENDERS)) {
    const out = await k8s(args);
    assertEquals(out.code, 0, out.stderr);
    if (update) await Deno.writeTextFile(`${GOLDEN}${file}`, out.stdout);
    assertEquals(out.stdout, await Deno.readTextFile(`${GOLDEN}${file}`), `${file} differs`);
    const docs = parseYaml(out.stdout, "1.2");
    assertEquals(parseYaml(out.stdout, "1.1"), docs, "YAML 1.1 reads the same");
    // A render warns exactly when it holds a Secret (the large one's URL has a query).
    const secret = (docs as K8sObject[]).find((o) => o.kind === "Secret") as Secret | undefined;
    assertEquals(
      out.stderr,
      secret
        ? `hls-swarm k8s: warning: ${secretWarning(secret.metadata!.name!, secret.stringData!)}\n`
        : "",
    );
    assertEquals(secret !== undefined, file === "render-2-shards-large.yaml");
    console.log(`${file}:`);
    for (const o of docs) console.log(`  ${validate(o)}`);
  }
  // The validator does reject: a broken Job, a broken PodMonitor and a broken Secret.
  const [, , job, monitor] = runObjects(baseSpec()) as [unknown, unknown, Job, PodMonitor];
  const broken = [
    { ...job, spec: { ...job.spec, backoffLimitPerIndex: "0" } },
    {
      ...monitor,
      spec: { ...monitor.spec, podMetricsEndpoints: [{ relabelings: [{ action: "rename" }] }] },
    },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { A: 1 } },
  ];
  for (const o of broken) {
    let message = "";
    try {
      validate(o);
    } catch (e) {
      message = (e as Error).message;
    }
    console.log(`rejected as expected: ${message}`);
    assert(message.includes("must be"), message);
  }
});

Deno.test("every variable the manifests set is one hls-swarm reads", async () => {
  const known = new Set([
    ...FLAGS.map((f) => envName(f.name)),
    ...Object.values(EXTRA_ENV).map((v) => v.name),
  ]);
  for (const args of [RENDERS["render-4-shards.yaml"], SECRET_RENDER]) {
    const docs = parseYaml((await k8s(args)).stdout, "1.2") as K8sObject[];
    const cm = docs.find((o) => o.kind === "ConfigMap") as ConfigMap;
    const secret = docs.find((o) => o.kind === "Secret") as Secret | undefined;
    const job = docs.find((o) => o.kind === "Job") as Job;
    const names = [
      ...Object.keys(cm.data ?? {}),
      ...Object.keys(secret?.stringData ?? {}),
      ...(job.spec!.template.spec!.containers[0].env ?? []).map((e) => e.name),
    ];
    assertEquals(names.filter((n) => !known.has(n)), []);
  }
});

Deno.test("k8s render: credentials are in a Secret the pod reads, in no other object, and it warns", async () => {
  const out = await k8s(SECRET_RENDER);
  assertEquals(out.code, 0, out.stderr);
  const texts = out.stdout.split(/^---\n/m);
  const docs = parseYaml(out.stdout, "1.2") as K8sObject[];
  assertEquals(docs.map((o) => o.kind), ["ConfigMap", "Secret", "Service", "Job", "PodMonitor"]);
  for (const o of docs) console.log(validate(o));
  const [cm, secret, , job] = docs as [ConfigMap, Secret, unknown, Job];
  assertEquals(secret.type, "Opaque");
  assertEquals(Object.keys(secret.stringData ?? {}), [
    "HLS_SWARM_HEADER",
    "HLS_SWARM_REDACT_HEADER",
    "HLS_SWARM_URL",
  ]);
  assertEquals(cm.data?.HLS_SWARM_CLIENTS, "4");
  for (const [name, value] of Object.entries(CREDENTIALS)) {
    const holders = docs.filter((_, i) =>
      texts[i].includes(value) || texts[i].includes(btoa(value))
    )
      .map((o) => o.kind);
    console.log(`${name} (${value}) is in: ${holders.join(", ")}`);
    assertEquals(holders, ["Secret"], name);
  }
  const pod = job.spec!.template.spec!;
  assertEquals(pod.containers[0].envFrom, [
    { configMapRef: { name: "secret-run" } },
    { secretRef: { name: secret.metadata!.name } },
  ]);
  const lines = out.stderr.trimEnd().split("\n");
  console.log(`stderr: ${out.stderr.trimEnd()}`);
  assertEquals(lines.length, 1);
  assert(lines[0].startsWith("hls-swarm k8s: warning: the output holds Secret secret-run ("));
  assert(lines[0].includes("clear text"), lines[0]);
  for (const value of Object.values(CREDENTIALS)) assert(!out.stderr.includes(value), value);

  // Without credentials (a header that is not one, a URL without query or user info): no
  // Secret, no reference to one, no warning.
  const plain = await k8s(RENDERS["render-4-shards.yaml"]);
  assertEquals([plain.code, plain.stderr], [0, ""]);
  assert(!/\bSecret\b|secretRef/.test(plain.stdout), "no Secret in a render without credentials");
});

Deno.test("the YAML emitter round-trips awkward strings under YAML 1.1 and 1.2", () => {
  const value = {
    words: ["yes", "No", "on", "OFF", "y", "n", "true", "null", "~", ""],
    numbers: ["1", "0x1F", "1e3", ".inf", "-1", "2030-06-01T12:00:00Z", "12:30"],
    syntax: [
      "a: b",
      "- x",
      "#c",
      "a #b",
      "{x}",
      "[y]",
      "*ref",
      "&anchor",
      "!tag",
      "%x",
      "@x",
      "`x",
    ],
    text: [
      "line 1\nline 2",
      "tab\there",
      'quote " and \\ back',
      " lead",
      "trail ",
      "ünï",
      "\u2028",
    ],
    keys: { "on": 1, "a b": 2, "x.y/z": 3, "1": 4 },
    nested: [[1, [2]], [], {}, { a: [] }, null, true, 0.5, -3],
  };
  for (const version of ["1.1", "1.2"] as const) {
    assertEquals(parseYaml(toYamlStream([value, value]), version), [value, value]);
  }
});

Deno.test("sizing.ts is nix/sizing.nix: the same per-viewer table, the same pods (nix-instantiate)", async () => {
  const counts = [1, 2, 40, 50, 99, 100, 101, 250, 400, 1000, 5647, 12345];
  const fields = Object.keys(sizing(1)).join(" ");
  const out = await run("nix-instantiate", [
    "--eval",
    "--strict",
    "--json",
    "-E",
    `let at = import ./nix/sizing.nix; in {
      perThousand = (at 0).perThousand;
      perPod = (at 0).perPod;
      pods = map (c: let s = at c; in { inherit (s) ${fields}; }) [ ${counts.join(" ")} ];
    }`,
  ], { cwd: ROOT });
  assertEquals(out.code, 0, out.stderr);
  const nix = JSON.parse(out.stdout);
  assertEquals(nix.perThousand, { ...PER_THOUSAND });
  assertEquals(nix.perPod, { ...PER_POD });
  assertEquals(counts.map(sizing), nix.pods);
  // The figures are the measured ones: 2026-12-07's bench/sizing.ts output, kept in testdata.
  const bench = await Deno.readTextFile(`${GOLDEN}sizing-2026-12-07.txt`);
  const runs = bench.split("\n").filter((l) => l.startsWith("SIZING ")).map((l) =>
    JSON.parse(l.slice(7))
  );
  assertEquals(runs.map((r) => r.ffmpeg.slice(0, 3)), ["5.1", "5.1", "7.1", "7.1", "9.0", "9.0"]);
  const most = (f: (r: { perViewer: Record<string, number> }) => number) =>
    Math.max(...runs.map(f));
  assertEquals(
    Math.ceil(most((r) => r.perViewer.ffmpegCpuPct) * 100) * 100,
    PER_THOUSAND.ffmpegCpuMilli,
  );
  assertEquals(
    Math.ceil(most((r) => r.perViewer.ffmpegPrivateMiB) * 10) * 100,
    PER_THOUSAND.ffmpegMiB,
  );
  // The help prints the table for the counts a user thinks in.
  const help = await k8s(["render", "--help"]);
  assertEquals(help.code, 0);
  const row = podResources(400);
  assert(
    new RegExp(`400\\s+${row.requests.cpu}\\s+${row.requests.memory}\\s+${row.limits.memory}`)
      .test(help.stdout),
    help.stdout.slice(-800),
  );
  console.log(help.stdout.slice(help.stdout.indexOf("Each pod requests")));
});

Deno.test("the default image is the one container.nix builds", async () => {
  const nix = await Deno.readTextFile(`${ROOT}container.nix`);
  assert(/swarm-client = image \{\s*name = "hls-swarm";/.test(nix), "container.nix image name");
  assert(/tag = deploy\.version;/.test(nix), "container.nix tags with the version");
  assertEquals(DEFAULT_IMAGE, `hls-swarm:${VERSION}`);
});

Deno.test("bad k8s flags exit 2 with a clear message", async () => {
  const url = "http://origin:17080/stream.m3u8";
  const ok = ["--duration=1m", "--clients=4"];
  const cases: [string[], string][] = [
    [["render", ...ok], "stream URL: required"],
    [
      ["render", ...ok, "--shards=0", url],
      'shards: must be a whole number of at least 1 (got "0")',
    ],
    [
      ["render", ...ok, "--shards=5", url],
      "shards: 5 shards need at least as many clients (got 4)",
    ],
    [["render", "--clients=4", url], "duration: a Kubernetes run needs one"],
    [["render", ...ok, "--metrics=0.0.0.0:1", url], "metrics: not a k8s flag"],
    [["render", ...ok, "--shard=0/2", url], "shard: not a k8s flag"],
    [["render", ...ok, "--threshold=error_rate<1%", url], "threshold: judged on the merged fleet"],
    [["render", ...ok, "--run-id=Bad_Id", url], 'run-id: "Bad_Id" must be lower-case'],
    [["render", ...ok, `--run-id=${"r".repeat(62)}`, "--shards=4", url], "too long for 4 shards"],
    [["render", ...ok, "--start-at=tomorrow", url], "start-at: expected an RFC 3339 time"],
    [["render", ...ok, "--namespace=Load", url], 'namespace: "Load" must be lower-case'],
    [["render", ...ok, "--image=", url], "image: expected an image reference"],
    [["render", ...ok, "--clients=lots", url], 'clients: not a whole number: "lots"'],
    [["render", ...ok, "--bogus", url], "unknown option '--bogus'"],
    [["render", ...ok, "ftp://x/y.m3u8"], 'stream URL: scheme must be http or https (got "ftp")'],
    [["run", ...ok, "--poll=5", url], 'poll: needs a unit, e.g. "5s" or "5ms"'],
    [
      ["run", ...ok, "--start-at=2000-01-01T00:00:00Z", url],
      "start-at: 2000-01-01T00:00:00Z has passed",
    ],
    [["run", ...ok, "--threshold=nonsense", url], "threshold: "],
    [["deploy", url], "unknown command 'deploy'"],
  ];
  for (const [args, message] of cases) {
    const out = await k8s(args);
    assertEquals(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
    assert(
      out.stderr.includes(message),
      `${args.join(" ")}: expected "${message}" in:\n${out.stderr}`,
    );
  }
});

/**
 * Logs of real shards `indexes` of an N-shard run (1 client each, 10 s, the built-in origin), as
 * `kubectl logs` shows them: stderr's JSON logs, then stdout ending with the summary line.
 */
async function realShardLogs(runId: string, shards: number, indexes: number[]): Promise<string[]> {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const agent = uniqueAgent("k8s-run");
    const runs = await Promise.all(indexes.map((i) =>
      finishSwarm(spawnSwarm([
        `--shard=${i}/${shards}`,
        `--clients=${shards}`,
        "--duration=10s",
        `--run-id=${runId}`,
        "--metrics=off",
        `--user-agent=${agent}`,
        origin.url,
      ], { HLS_SWARM_SUMMARY_LINE: "true" }))
    ));
    return runs.map((r) => {
      assertEquals(r.code, 0, r.stderr.slice(-2000));
      assert(r.stdout.trimEnd().split("\n").at(-1)!.startsWith("HLS_SWARM_SUMMARY "), r.stdout);
      return r.stderr + r.stdout;
    });
  } finally {
    await origin.close();
  }
}

/** The permission bits (octal) of a folder and each file in it, by name; the folder is ".". */
async function fileModes(dir: string): Promise<Record<string, string>> {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  const modes: Record<string, string> = {};
  for (const name of [".", ...names]) {
    modes[name] = ((await Deno.stat(`${dir}/${name}`)).mode! & 0o777).toString(8);
  }
  return modes;
}

Deno.test("k8s run: apply, follow, collect 4 shards (1 failed index, 1 missing), merge", async () => {
  const runId = "k8s-run-test";
  const logs = await realShardLogs(runId, 4, [0, 1]);
  const late = '{"level":"error","msg":"run_not_started","error":"started 41000 ms after ' +
    '--start-at"}\n';
  const fake = await fakeKubectl(runId, {
    pods: [
      { index: 0, phase: "Succeeded", exitCode: 0, log: logs[0] },
      { index: 1, phase: "Succeeded", exitCode: 0, log: logs[1] },
      { index: 2, phase: "Failed", exitCode: 4, log: late },
    ],
    completedIndexes: "0-1",
    failedIndexes: "2",
  });
  const out = `${fake.dir}/out`;
  const url = "http://origin:17080/stream.m3u8";
  const args = [
    "--shards=4",
    "--clients=4",
    "--duration=10s",
    `--run-id=${runId}`,
    "--poll=100ms",
    // A fixed start: no barrier (tests/k8s_barrier_test.ts has that).
    "--start-at=2030-06-01T12:00:00Z",
    `--header=Authorization: Bearer ${CREDENTIALS.X}`,
  ];
  try {
    const first = await fake.run(["k8s", "run", ...args, `--out=${out}`, url]);
    console.log(first.stderr.split("\n").filter((l) => l.startsWith("hls-swarm k8s")).join("\n"));
    assertEquals(first.code, 5, first.stderr);
    const pod = (i: number) => `${runId}-${i}-pod`;
    const calls = await fake.calls();
    const getPods = ["get", "pods", "-l", `batch.kubernetes.io/job-name=${runId}`, "-o", "json"];
    assertEquals(calls.slice(0, 5), [
      ["apply", "-f", "-"],
      ["get", "job", runId, "-o", "json"],
      // 4 active, 2 ready: which pods are not running, and why.
      getPods,
      ["get", "job", runId, "-o", "json"],
      getPods,
    ]);
    // The logs are read in parallel, so in any order.
    assertEquals(
      calls.slice(5).map((c) => c.join(" ")).sort(),
      [0, 1, 2].map((i) => `logs ${pod(i)} -c hls-swarm`),
    );
    assertEquals(await fake.applied(), await Deno.readTextFile(`${out}/manifests.yaml`));
    assert((await fake.applied()).includes("kind: Secret"), "the applied YAML has the Secret");
    assert(!first.stderr.includes(CREDENTIALS.X), first.stderr);
    // Every file it wrote, merge's summary included, is its owner's alone; its folder too.
    const modes = await fileModes(out);
    console.log(`modes in --out: ${JSON.stringify(modes)}`);
    assertEquals(Object.keys(modes), [
      ".",
      "job-progress.json",
      "manifests.yaml",
      "report.html",
      "shard-0.json",
      "shard-0.log",
      "shard-1.json",
      "shard-1.log",
      "shard-2.log",
      "summary.json",
    ]);
    assertEquals(Object.values(modes), ["700", ...Array(9).fill("600")]);
    assert(first.stderr.includes(`shard 2: failed: pod ${pod(2)} (exit 4 Error)`), first.stderr);
    assert(first.stderr.includes("shard 3: missing: no pod found"), first.stderr);
    assert(first.stderr.includes("shards missing: [2, 3], failed: [] of 4"), first.stderr);
    assertEquals(await Deno.readTextFile(`${out}/shard-2.log`), late);
    const merged = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
    assertEquals([merged.runId, merged.fleet.shards, merged.fleet.missing], [runId, 4, [2, 3]]);
    assertEquals(merged.clients.started, 2);
    assertEquals(merged.outcome.code, 5);
    assert(first.stdout.includes(runId), first.stdout);

    // Again, allowing missing shards and cleaning up: merge's exit 0 passes through. Files
    // left world-readable by an older run are narrowed too.
    await Deno.mkdir(`${out}-2`, { mode: 0o755 });
    for (const f of ["manifests.yaml", "summary.json", "shard-0.log"]) {
      await Deno.writeTextFile(`${out}-2/${f}`, "old\n", { mode: 0o644 });
      await Deno.chmod(`${out}-2/${f}`, 0o644);
    }
    const second = await fake.run(
      ["k8s", "run", ...args, `--out=${out}-2`, "--allow-missing-shards", "--cleanup", url],
    );
    assertEquals(second.code, 0, second.stderr);
    const modes2 = await fileModes(`${out}-2`);
    console.log(`modes in an existing --out: ${JSON.stringify(modes2)}`);
    assertEquals(Object.values(modes2), ["755", ...Array(9).fill("600")]);
    assertEquals((await fake.calls()).at(-1), [
      "delete",
      "--ignore-not-found",
      "--wait=false",
      "-f",
      "-",
    ]);
  } finally {
    await Deno.remove(fake.dir, { recursive: true });
  }
});
