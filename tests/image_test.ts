/**
 * Issue 24, "a container image, built and run here" and "the pod runs": the image `make image`
 * builds (Containerfile) runs a swarm from environment variables alone, restricted as a pod is
 * (UID 65534, read-only root, every capability dropped, a tmpfs /tmp), and its counts equal what
 * the built-in origin logged; the Job of `k8s render`, as a Pod, runs under `podman kube play`
 * with its security context, ConfigMap and Secret, and `merge` reads its summary from its log.
 *
 * Skipped, with a line that says so, where the image is absent (`make image` builds it; CI does,
 * before the tests) or podman cannot run it (it needs root here).
 */
import { DEFAULT_ORIGIN_OPTIONS, parseAccessLogLine, startOrigin } from "../src/test_origin/mod.ts";
import { decodeSummaryLine } from "../src/report/summary_line.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { classifyUrl } from "../src/parser/url_kind.ts";
import { VERSION } from "../src/version.ts";
import deploy from "../nix/deploy.json" with { type: "json" };
import {
  freePort,
  ROOT,
  startNginx,
  SWARM_ARGV,
  tallyAccessLog,
  uniqueAgent,
  waitFor,
} from "./helpers.ts";
import { mergeInProcess } from "./merge_inputs.ts";
import { podFromRender, podmanSecret } from "./image_pod.ts";

/** The tag `make image` gives the image (Makefile, IMAGE). */
const IMAGE = `localhost/hls-swarm:${VERSION}`;
const decoder = new TextDecoder();

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman (or another program) to completion; a missing program is code 127. */
async function run(cmd: string, args: string[], stdin?: string): Promise<Out> {
  try {
    const child = new Deno.Command(cmd, {
      args,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd} missing` };
    }
    throw e;
  }
}
const podman = (...args: string[]) => run("podman", args);

/** Why the tests cannot run here, or null. */
async function whyNot(): Promise<string | null> {
  if (Deno.uid() !== 0) return "podman runs the image as root here, and this is not root";
  const exists = await podman("image", "exists", IMAGE);
  if (exists.code === 127) return "podman is not installed (make image installs it)";
  if (exists.code !== 0) return `${IMAGE} is absent (make image builds it)`;
  return null;
}
const skip = await whyNot();
if (skip) console.log(`tests/image_test.ts: skipped: ${skip}`);

/** The flags that restrict a container as the rendered pod's security context does. */
const RESTRICTED = [
  "--network=host",
  "--user=65534:65534",
  "--read-only",
  "--cap-drop=ALL",
  "--security-opt=no-new-privileges",
  "--tmpfs=/tmp",
];

/** Requests and 2xx body bytes by kind in the origin's access log, for one test's clients. */
async function served(accessLogPath: string, agent: string) {
  const out = { manifest: 0, segment: 0, manifestBytes: 0, segmentBytes: 0 };
  for (const line of (await Deno.readTextFile(accessLogPath)).split("\n")) {
    const e = parseAccessLogLine(line);
    if (!e || !e.userAgent.startsWith(`${agent}/client-`)) continue;
    const kind = classifyUrl(e.path);
    if (kind !== "manifest" && kind !== "segment") continue;
    out[kind]++;
    if (e.status >= 200 && e.status < 300) out[`${kind}Bytes`] += e.bodyBytes;
  }
  return out;
}

/** The summary's counts in the same shape as {@linkcode served}. */
function counted(s: RunSummary) {
  return {
    manifest: s.traffic.requests.manifest,
    segment: s.traffic.requests.segment,
    manifestBytes: s.traffic.bytes.manifest,
    segmentBytes: s.traffic.bytes.segment,
  };
}

Deno.test({
  name: "the image: nix/deploy.json's entrypoint, user, environment and port; its hls-swarm runs " +
    "deploy.json's denoRunArgs",
  ignore: skip !== null,
  async fn() {
    const out = await podman("image", "inspect", IMAGE);
    assertEquals(out.code, 0, out.stderr);
    const [image] = JSON.parse(out.stdout);
    const config = image.Config;
    const where: Record<string, string> = {
      tini: "/usr/bin/tini",
      "hls-swarm": "/usr/local/bin/hls-swarm",
    };
    console.log(
      `  ${IMAGE}: ${image.Size} bytes, ${image.RootFS.Layers.length} layers, ` +
        `user ${config.User}, entrypoint ${JSON.stringify(config.Entrypoint)}`,
    );
    assertEquals(config.Entrypoint, deploy.client.entrypoint.map((w) => where[w] ?? w));
    assertEquals(config.User, "65534:65534");
    for (const [name, value] of Object.entries(deploy.client.env)) {
      assert(config.Env.includes(`${name}=${value}`), `${name}=${value} in ${config.Env}`);
    }
    assertEquals(Object.keys(config.ExposedPorts), [`${deploy.client.ports.metrics}/tcp`]);
    const wrapper = await Deno.readTextFile(`${ROOT}tools/image/hls-swarm`);
    assertStringIncludes(
      wrapper,
      `exec /usr/local/bin/deno ${deploy.package.denoRunArgs.join(" ")} ` +
        `/opt/hls-swarm/dist/hls-swarm.js "$@"`,
    );
  },
});

Deno.test({
  name: "restricted as a pod: UID 65534, read-only root, no capability, a writable tmpfs /tmp",
  ignore: skip !== null,
  async fn() {
    const script =
      "id; findmnt -n -o TARGET,FSTYPE,OPTIONS /; findmnt -n -o TARGET,FSTYPE,OPTIONS /tmp; " +
      "grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status; touch /probe 2>&1; touch /tmp/probe && echo tmp ok";
    const out = await podman(
      "run",
      "--rm",
      ...RESTRICTED,
      "--entrypoint=/bin/sh",
      IMAGE,
      "-c",
      script,
    );
    // Only the first fields of the root's mount options: the overlay's layer paths are noise.
    console.log(out.stdout.split("\n").map((l) => `  ${l.slice(0, 110)}`).join("\n"));
    assertEquals(out.code, 0, out.stderr);
    assertStringIncludes(out.stdout, "uid=65534(nobody) gid=65534(nogroup)");
    assert(/^\/ overlay ro,/m.test(out.stdout), "root is read-only");
    assert(/^\/tmp tmpfs rw,/m.test(out.stdout), "/tmp is a writable tmpfs");
    for (const set of ["CapPrm", "CapEff", "CapBnd"]) {
      assertStringIncludes(out.stdout, `${set}:\t0000000000000000`);
    }
    assertStringIncludes(out.stdout, "Read-only file system");
    assertStringIncludes(out.stdout, "tmp ok");
  },
});

Deno.test({
  name: "a run from environment variables alone counts exactly what nginx served",
  ignore: skip !== null,
  async fn() {
    // nginx in front of the built-in origin: its access log is the truth the counts must equal.
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    const nginxDir = await Deno.makeTempDir({ prefix: "hls-swarm-image-nginx-" });
    const nginx = await startNginx(nginxDir, undefined, {
      server: `location / { proxy_pass ${new URL(origin.url).origin}; proxy_http_version 1.1; ` +
        `proxy_set_header Connection ""; }`,
    });
    try {
      const agent = uniqueAgent("image-run");
      const metricsPort = freePort();
      const env = {
        HLS_SWARM_URL: nginx.url("/stream.m3u8"),
        HLS_SWARM_CLIENTS: "3",
        HLS_SWARM_DURATION: "12s",
        HLS_SWARM_USER_AGENT: agent,
        // The host's network is shared: the image's 17091 could be another test's.
        HLS_SWARM_METRICS_PORT: String(metricsPort),
        HLS_SWARM_SUMMARY_LINE: "true",
      };
      const child = new Deno.Command("podman", {
        args: [
          "run",
          "--rm",
          ...RESTRICTED,
          ...Object.entries(env).map(([k, v]) => `--env=${k}=${v}`),
          IMAGE,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let info = "";
      await waitFor(
        async () => {
          const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
            .then((r) => r.text(), () => "");
          info = text.split("\n").find((l) => l.startsWith("hlsswarm_info{")) ?? "";
          return info !== "";
        },
        30_000,
        "hlsswarm_info on /metrics",
      );
      const out = await child.output();
      const stdout = decoder.decode(out.stdout);
      assertEquals(out.code, 0, decoder.decode(out.stderr).slice(-2000));
      const s: RunSummary = JSON.parse(decodeSummaryLine(stdout)!);
      const measured = stdout.split("\n").filter((l) => /Measured with:|FFmpeg:/.test(l));
      console.log(`${measured.join("\n")}\n  ${info.replace(/stream_url="[^"]*",/, "")}`);
      assertStringIncludes(info, 'line_reader="native"');
      assertEquals(s.run.lineReader, "native", "the fan-in runs on the image's glibc");
      assertEquals(s.clients.started, 3);
      const t = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
      const log = {
        manifest: t.manifest,
        segment: t.segment,
        manifestBytes: t.bytes.manifest,
        segmentBytes: t.bytes.segment,
      };
      console.log(`  summary ${JSON.stringify(counted(s))}\n  nginx   ${JSON.stringify(log)}`);
      assert(log.segment > 0, "segments were served");
      const c = counted(s);
      assertEquals(
        { ...c, segmentBytes: 0 },
        { ...log, segmentBytes: 0 },
        "requests and playlist bytes",
      );
      // A segment body the stop cut at a fast origin counts whole (src/parser/body_ledger.ts:
      // such an origin has handed it to the network), while a busy nginx may log less of it
      // as sent: at most one body per client (3), each under twice the mean segment, and never
      // more than the summary counts.
      const over = c.segmentBytes - log.segmentBytes;
      const perSegment = c.segmentBytes / c.segment;
      assert(
        over === 0 || (over > 0 && over <= 3 * 2 * perSegment),
        `segment bytes: summary ${c.segmentBytes}, nginx ${log.segmentBytes}`,
      );
    } finally {
      await nginx.stop();
      await origin.close();
      await Deno.remove(nginxDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "the Job of k8s render runs as a Pod under podman kube play, and merge reads its log",
  ignore: skip !== null,
  async fn() {
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    const dir = await Deno.makeTempDir({ prefix: "hls-swarm-image-pod-" });
    const token = `tok-${crypto.randomUUID()}`;
    const agent = uniqueAgent("image-pod");
    // Far enough ahead for kube play and preflight on a busy machine.
    const startAt = new Date(Date.now() + 25_000).toISOString().replace(/\.\d+Z$/, "Z");
    const render = await run(Deno.execPath(), [
      ...SWARM_ARGV,
      "k8s",
      "render",
      "--image",
      IMAGE,
      "--no-pod-monitor",
      "--clients=2",
      "--duration=10s",
      `--start-at=${startAt}`,
      `--user-agent=${agent}`,
      `--header=Authorization: Bearer ${token}`,
      origin.url,
    ]);
    assertEquals(render.code, 0, render.stderr);
    const secret = podmanSecret(render.stdout)!;
    const name = `${secret.name}-0`;
    const podYaml = `${dir}/pod.yaml`;
    await Deno.writeTextFile(
      podYaml,
      podFromRender(render.stdout, { name, index: 0, metricsPort: freePort() }),
    );
    try {
      const created = await run("podman", ["secret", "create", secret.name, "-"], secret.json);
      assertEquals(created.code, 0, created.stderr);
      const play = await podman("kube", "play", podYaml);
      assertEquals(play.code, 0, play.stderr);
      const container = `${name}-hls-swarm`;
      const waited = await podman("wait", container);
      assertEquals(waited.stdout.trim(), "0", `the pod's exit code; ${waited.stderr}`);
      const inspect = await podman("inspect", container);
      const [c] = JSON.parse(inspect.stdout);
      const envNames = (c.Config.Env as string[]).map((e) => e.split("=")[0]);
      console.log(
        `  pod ${name}: user ${c.Config.User}, read-only root ${c.HostConfig.ReadonlyRootfs}, ` +
          `capabilities ${JSON.stringify(c.EffectiveCaps)}, network ${c.HostConfig.NetworkMode}, ` +
          `/tmp ${
            c.Mounts.map((m: { Type: string; Destination: string }) => `${m.Type}:${m.Destination}`)
          }`,
      );
      assertEquals(c.Config.User, "65534:65534");
      assertEquals(c.HostConfig.ReadonlyRootfs, true);
      assert(!c.EffectiveCaps?.length, `no capabilities: ${c.EffectiveCaps}`);
      for (const e of ["HLS_SWARM_URL", "HLS_SWARM_HEADER", "JOB_COMPLETION_INDEX"]) {
        assert(envNames.includes(e), `${e} from the ConfigMap, the Secret and the index`);
      }
      const logs = await podman("logs", container);
      const logFile = `${dir}/shard-0.log`;
      await Deno.writeTextFile(logFile, logs.stdout + logs.stderr);
      assert(!(logs.stdout + logs.stderr).includes(token), "the Secret's value is never logged");
      const merged = await mergeInProcess([logFile, "--summary-json", `${dir}/fleet.json`]);
      assertEquals(merged.code, 0, merged.stderr);
      const rows = merged.stdout.split("\n").filter((l) =>
        /Measured with:|Shards merged:|Target clients:|Manifest \(|Segment {2}/.test(l)
      );
      console.log(rows.join("\n"));
      const fleet: RunSummary = JSON.parse(await Deno.readTextFile(`${dir}/fleet.json`));
      assertEquals(fleet.fleet?.present, [0]);
      assertEquals(fleet.run.lineReader, "native");
      const log = await served(origin.accessLogPath, agent);
      console.log(`  merged  ${JSON.stringify(counted(fleet))}\n  origin  ${JSON.stringify(log)}`);
      assert(log.segment > 0, "segments were served");
      assertEquals(counted(fleet), log);
    } finally {
      await podman("kube", "down", podYaml);
      await podman("secret", "rm", secret.name);
      await Deno.remove(dir, { recursive: true });
      await origin.close();
    }
  },
});
