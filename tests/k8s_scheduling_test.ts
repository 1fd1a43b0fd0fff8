/**
 * `k8s render`'s scheduling passthrough (--node-selector, --toleration, --label,
 * --image-pull-secret): each flag lands where Kubernetes reads it, the objects still validate
 * against the schemas (kubernetes-models 5.1.0: Kubernetes 1.34's OpenAPI) and decode
 * unchanged into kubectl 1.32's API types, bad values exit 2 with the reason; and the Job uses
 * no field newer than the documented minimum release, 1.29.
 */
import type { Job } from "kubernetes-models/batch/v1";
import type { K8sObject } from "../src/k8s/manifests.ts";
import { compareReleases, FIELD_SINCE, MIN_KUBERNETES } from "../src/k8s/versions.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { k8s, kubectlDecodeLoss, parseYaml, run, validate } from "./k8s_helpers.ts";

const STREAM = "http://origin.example:17080/stream.m3u8";
const BASE = [
  "render",
  "--shards=2",
  "--clients=100",
  "--duration=5m",
  "--run-id=sched",
  "--start-at=2030-06-01T12:00:00Z",
];

/** The objects of a render with `flags`; fails unless it exits 0. */
async function render(flags: string[]): Promise<K8sObject[]> {
  const out = await k8s([...BASE, ...flags, STREAM]);
  assertEquals(out.code, 0, out.stderr);
  return parseYaml(out.stdout, "1.2") as K8sObject[];
}

const podSpec = (docs: K8sObject[]) =>
  (docs.find((o) => o.kind === "Job") as Job).spec!.template.spec!;

Deno.test("--node-selector: the pod's nodeSelector, each pair once", async () => {
  const docs = await render([
    "--node-selector=pool=load",
    "--node-selector=topology.kubernetes.io/zone=eu-west-1a",
  ]);
  assertEquals(podSpec(docs).nodeSelector, {
    pool: "load",
    "topology.kubernetes.io/zone": "eu-west-1a",
  });
  for (const o of docs) validate(o);
  assertEquals(podSpec(await render([])).nodeSelector, undefined, "none without the flag");
});

Deno.test("--toleration: kubectl taint's forms, Equal and Exists, with and without an effect", async () => {
  const docs = await render([
    "--toleration=pool=load:NoSchedule",
    "--toleration=spot:Exists",
    "--toleration=dedicated:NoExecute",
    "--toleration=team=video",
  ]);
  assertEquals(podSpec(docs).tolerations, [
    { key: "pool", operator: "Equal", value: "load", effect: "NoSchedule" },
    { key: "spot", operator: "Exists" },
    { key: "dedicated", operator: "Exists", effect: "NoExecute" },
    { key: "team", operator: "Equal", value: "video" },
  ]);
  for (const o of docs) validate(o);
});

Deno.test("--label: on every object and pod; the selectors keep to the run's own labels", async () => {
  const docs = await render(["--label=cost-centre=cdn-qa", "--label=example.com/team=video"]);
  const extra = { "cost-centre": "cdn-qa", "example.com/team": "video" };
  for (const o of docs) {
    assertEquals({ ...o.metadata?.labels, ...extra }, o.metadata?.labels, `${o.kind} labels`);
    validate(o);
  }
  const job = docs.find((o) => o.kind === "Job") as Job;
  const own = { "app.kubernetes.io/name": "hls-swarm", "hls-swarm/run-id": "sched" };
  assertEquals(job.spec!.template.metadata!.labels, { ...extra, ...own });
  const service = docs.find((o) => o.kind === "Service");
  assertEquals((service as { spec: { selector: unknown } }).spec.selector, own);
  assertEquals(job.spec!.template.spec!.topologySpreadConstraints![0].labelSelector, {
    matchLabels: own,
  });
});

Deno.test("--image-pull-secret: the pod's imagePullSecrets, in order, each once", async () => {
  const docs = await render([
    "--image-pull-secret=regcred",
    "--image-pull-secret=mirror.creds",
    "--image-pull-secret=regcred",
  ]);
  assertEquals(podSpec(docs).imagePullSecrets, [{ name: "regcred" }, { name: "mirror.creds" }]);
  for (const o of docs) validate(o);
});

Deno.test("bad scheduling flags exit 2, one line each", async () => {
  const cases: [string, string][] = [
    ["--node-selector=pool", 'node-selector: expected KEY=VALUE (got "pool")'],
    ["--node-selector=-pool=x", 'key name "-pool" must be 1-63 letters'],
    ["--node-selector=Bad_Prefix/x=y", 'key prefix "Bad_Prefix" must be a DNS subdomain'],
    ["--node-selector=pool=a b", 'value "a b" must be at most 63'],
    [`--label=k=${"v".repeat(64)}`, "must be at most 63"],
    ["--label=hls-swarm/run-id=other", 'label: "hls-swarm/run-id" is the run\'s own label'],
    [
      "--toleration=pool=load:NoSchedul",
      'effect must be NoSchedule, PreferNoSchedule, NoExecute or Exists (got "NoSchedul")',
    ],
    ["--toleration=pool=load:Exists", "Exists takes no value"],
    ["--toleration=:NoSchedule", 'key name "" must be'],
    ["--image-pull-secret=Reg_Cred", 'image-pull-secret: "Reg_Cred" must be a Secret name'],
  ];
  for (const [flag, message] of cases) {
    const out = await k8s([...BASE, flag, STREAM]);
    assertEquals(out.code, 2, `${flag}: ${out.stderr}`);
    assert(out.stderr.includes(message), `${flag}: expected "${message}" in:\n${out.stderr}`);
  }
  // Two bad flags: both reported.
  const both = await k8s([...BASE, "--node-selector=x", "--image-pull-secret=_", STREAM]);
  assertEquals(both.stderr.split("\n").filter((l) => l.startsWith("hls-swarm k8s: ")).length, 2);
});

/** Every `job.X`, `pod.X` and `container.X` field a Job uses. */
function jobFields(job: Job): string[] {
  const pod = job.spec!.template.spec!;
  return [
    ...Object.keys(job.spec!).map((k) => `job.${k}`),
    ...Object.keys(pod).map((k) => `pod.${k}`),
    ...[...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) =>
      Object.keys(c).map((k) => `container.${k}`)
    ),
  ];
}

Deno.test(`the Job uses no field newer than Kubernetes ${MIN_KUBERNETES}, the documented minimum`, async () => {
  const docs = await render([
    "--node-selector=pool=load",
    "--toleration=spot:Exists",
    "--label=a=b",
    "--image-pull-secret=regcred",
  ]);
  const fields = [...new Set(jobFields(docs.find((o) => o.kind === "Job") as Job))];
  assertEquals(fields.filter((f) => !(f in FIELD_SINCE)), [], "fields missing in versions.ts");
  const newest = fields.map((f) => FIELD_SINCE[f]).toSorted(compareReleases).at(-1)!;
  assertEquals(newest, MIN_KUBERNETES);
  const readme = await Deno.readTextFile(
    new URL("../deploy/kubernetes/README.md", import.meta.url),
  );
  assert(readme.includes(`Kubernetes ${MIN_KUBERNETES}`), "the README states the minimum");
  console.log(
    `${fields.length} fields, newest from ${newest}: ${
      fields.filter((f) => FIELD_SINCE[f] === newest).join(", ")
    }`,
  );
});

Deno.test("kubectl 1.32 decodes the Job into its API types without losing a field (offline)", async () => {
  // `kubectl set env --local` decodes a pod-template object into k8s.io/api's Go types and
  // prints it back (with the variable it sets, which the comparison ignores), no cluster needed: a field those types lack is dropped, a wrong type is an
  // error. It takes only objects with a pod template; the others are schema-checked above.
  const version = await run("kubectl", ["version", "--client", "-o", "json"]);
  const client = JSON.parse(version.stdout).clientVersion;
  const docs = await render([
    "--node-selector=pool=load",
    "--toleration=pool=load:NoSchedule",
    "--label=a=b",
    "--image-pull-secret=regcred",
  ]);
  const job = docs.find((o) => o.kind === "Job") as Job;
  assertEquals(await kubectlDecodeLoss(job), [], "fields lost or changed");
  // It does catch a field its types lack.
  const bogus = { ...job, spec: { ...job.spec!, backoffLimitPerIndexx: 0 } };
  assertEquals(await kubectlDecodeLoss(bogus), ["spec.backoffLimitPerIndexx"]);
  console.log(`kubectl ${client.gitVersion}: the Job decodes without loss`);
});
