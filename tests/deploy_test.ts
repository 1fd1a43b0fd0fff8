/**
 * The deployables as they will run: the Nix files parse and evaluate, nix/deploy.json agrees with
 * the binary, `make bundle`'s output runs a swarm, the client image's exact entrypoint, command
 * and environment (nix/deploy.json) run a swarm from environment variables alone under real tini
 * and stop cleanly on SIGTERM, and the test origin runner serves the stream through nginx.
 * The Nix builds themselves are not run: that needs nixpkgs, which this machine cannot fetch.
 */
import {
  checkEphemeralPorts,
  checkFileDescriptors,
  checkProcesses,
} from "../src/preflight/checks.ts";
import { envName, EXTRA_ENV, findFlag, FLAGS } from "../src/config/flags.ts";
import { buildGeneratorArgs, DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { VERSION } from "../src/version.ts";
import {
  ffmpegPids,
  freePort,
  metricValue,
  ROOT,
  uniqueAgent,
  waitFor,
  waitForClients,
} from "./helpers.ts";

interface Definition {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  ports: Record<string, number>;
}

interface Deploy {
  package: { denoRunArgs: string[] };
  client: Definition;
  origin: Definition & { streamPath: string; generatorArgs: string[] };
  microvm: { hostAddress: string; clients: number; clientEnv: Record<string, string> };
}

interface Sizing {
  nofile: number;
  tasks: number;
  connections: number;
}

const DEPLOY_JSON = `${ROOT}nix/deploy.json`;
const deploy: Deploy = JSON.parse(await Deno.readTextFile(DEPLOY_JSON));
const BUNDLE = `${ROOT}dist/hls-swarm.js`;
const decoder = new TextDecoder();

/** Fails, showing `text`, unless `pattern` matches it. */
function assertMatch(text: string, pattern: RegExp): void {
  assert(pattern.test(text), `expected ${pattern} in:\n${text}`);
}

/** Runs a command to completion; stdout and stderr as text. */
async function run(
  command: string,
  args: string[],
  options: Deno.CommandOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, { ...options, args, stdin: "null" }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Evaluates a Nix expression in the repository root, without nixpkgs, as JSON. */
async function nixEval<T>(expression: string): Promise<T> {
  const out = await run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expression], {
    cwd: ROOT,
  }).catch((e) => {
    throw new Error(`nix-instantiate not found (make deps installs nix-bin): ${e.message}`);
  });
  assertEquals(out.code, 0, out.stderr);
  return JSON.parse(out.stdout);
}

/** The first of `names` found as an executable on PATH. */
function which(...names: string[]): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of names) {
      try {
        const stat = Deno.statSync(`${dir}/${name}`);
        if (stat.isFile && (stat.mode ?? 0) & 0o111) return `${dir}/${name}`;
      } catch {
        // Not in this directory.
      }
    }
  }
  throw new Error(`none of ${names.join(", ")} on PATH`);
}

/**
 * A directory of programs under the names the Nix packages give them: `hls-swarm` runs the
 * bundle with the wrapper's exact arguments, the exporters go by their nixpkgs names.
 */
async function programDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-deploy-bin-" });
  const denoArgs = [...deploy.package.denoRunArgs, BUNDLE].map((a) => `'${a}'`).join(" ");
  await Deno.writeTextFile(
    `${dir}/hls-swarm`,
    `#!/bin/sh\nexec '${Deno.execPath()}' ${denoArgs} "$@"\n`,
    { mode: 0o755 },
  );
  await Deno.symlink(which("node_exporter", "prometheus-node-exporter"), `${dir}/node_exporter`);
  await Deno.symlink(
    which("nginx-prometheus-exporter", "prometheus-nginx-exporter"),
    `${dir}/nginx-prometheus-exporter`,
  );
  return dir;
}

let bundled: Promise<void> | undefined;
/**
 * `make bundle`, once per test run, with the Deno running the tests. SHELL names the bash on PATH:
 * the Makefile's /bin/bash does not exist in the Nix sandbox.
 */
function makeBundle(): Promise<void> {
  const args = ["bundle", `DENO=${Deno.execPath()}`, `SHELL=${which("bash")}`];
  bundled ??= run("make", args, { cwd: ROOT }).then((out) => {
    assertEquals(out.code, 0, out.stdout + out.stderr);
  });
  return bundled;
}

/**
 * Waits up to a minute for the definition's fixed metrics port, which another hls-swarm on this
 * machine (another test run, `make demo`) may hold, and fails saying so.
 */
async function waitForMetricsPort(): Promise<void> {
  const port = deploy.client.ports.metrics;
  await waitFor(
    () => {
      try {
        Deno.listen({ port }).close();
        return true;
      } catch {
        return false;
      }
    },
    60_000,
    `port ${port} (nix/deploy.json's metrics port) to be free`,
  );
}

/** Starts the client image's argv with its environment plus `extra`, and nothing else. */
function spawnClientImage(bin: string, extra: Record<string, string>): Deno.ChildProcess {
  const [command, ...args] = [...deploy.client.entrypoint, ...deploy.client.cmd];
  return new Deno.Command(command, {
    args,
    clearEnv: true,
    env: { PATH: `${bin}:${Deno.env.get("PATH")}`, ...deploy.client.env, ...extra },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("every .nix file parses", async () => {
  const files: string[] = [];
  const skip = new Set([".git", ".deno", ".cache", "node_modules", "tools", "dist"]);
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory && !skip.has(entry.name)) await walk(`${dir}/${entry.name}`);
      else if (entry.isFile && entry.name.endsWith(".nix")) files.push(`${dir}/${entry.name}`);
    }
  };
  await walk(ROOT.replace(/\/$/, ""));
  for (const expected of ["flake.nix", "container.nix", "nix/package.nix", "nix/microvm.nix"]) {
    assert(files.includes(`${ROOT}${expected}`), `${expected} missing`);
  }
  for (const file of files) {
    const out = await run("nix-instantiate", ["--parse", file]).catch((e) => {
      throw new Error(`nix-instantiate not found (make deps installs nix-bin): ${e.message}`);
    });
    assertEquals(out.code, 0, `${file}: ${out.stderr}`);
  }
});

Deno.test("nix/deploy.json, as Nix reads it, agrees with the binary", async () => {
  const nix = await nixEval<Deploy & { version: string }>(
    'removeAttrs (import ./nix/deploy.nix) [ "sizing" ]',
  );
  assertEquals(nix, { ...deploy, version: VERSION });

  // The advertised metrics port is the one the image sets (HLS_SWARM_METRICS_PORT: 0.0.0.0, so
  // the port is reachable from outside) and the binary's default (127.0.0.1: loopback unless asked).
  const metricsPort = deploy.client.ports.metrics;
  assertEquals(deploy.client.env[EXTRA_ENV.metricsPort.name], String(metricsPort));
  assertEquals(findFlag("metrics")?.default, `127.0.0.1:${metricsPort}`);
  // Every variable the definition sets is one the binary reads.
  const known = new Set([
    ...FLAGS.flatMap((f) => [envName(f.name), ...(f.alias ? [f.alias] : [])]),
    ...Object.values(EXTRA_ENV).flatMap((v) => [v.name, ...(v.alias ? [v.alias] : [])]),
  ]);
  for (const name of Object.keys({ ...deploy.client.env, ...deploy.microvm.clientEnv })) {
    assert(known.has(name), `${name} is not read by hls-swarm`);
  }
  // The origin's exporters listen where hls-swarm's --origin-metrics-host looks for them.
  assertEquals(
    [deploy.origin.ports.nodeExporter, deploy.origin.ports.nginxExporter].map(String),
    [findFlag("origin-metrics-node-port")?.default, findFlag("origin-metrics-nginx-port")?.default],
  );
  // The runner's generator makes the stream `hls-swarm origin` makes, at the advertised path.
  const generator = buildGeneratorArgs(DEFAULT_ORIGIN_OPTIONS, ".");
  assertEquals(
    deploy.origin.generatorArgs,
    generator,
    `update origin.generatorArgs in nix/deploy.json to ${JSON.stringify(generator)}`,
  );
  assertEquals(`.${deploy.origin.streamPath}`, generator.at(-1));
});

Deno.test("nix/sizing.nix gives limits that pass hls-swarm's own preflight", async () => {
  const counts = [1, 50, 1000, 10000];
  const sizes = await nixEval<Sizing[]>(`map (import ./nix/sizing.nix) [ ${counts.join(" ")} ]`);
  counts.forEach((clients, i) => {
    const { nofile, tasks, connections } = sizes[i];
    const limits = [
      `Max processes             ${tasks}                 ${tasks}                 processes`,
      `Max open files            ${nofile}                ${nofile}                files`,
    ].join("\n");
    assertEquals(checkFileDescriptors(limits, clients).status, "ok", `nofile, ${clients} clients`);
    assertEquals(checkProcesses(limits, clients).status, "ok", `tasks, ${clients} clients`);
    // The swarm-client module's ip_local_port_range.
    assertEquals(checkEphemeralPorts("1024 65535", clients).status, "ok");
    assert(connections <= 65535 - 1024 + 1, `${clients} clients: ${connections} local ports`);
  });
});

Deno.test("make bundle's output prints its version and runs a 2-client, 10 s swarm", async () => {
  await makeBundle();
  const deno = Deno.execPath();
  const argv = [...deploy.package.denoRunArgs, BUNDLE];
  const version = await run(deno, [...argv, "--version"]);
  assertEquals([version.code, version.stdout.trim()], [0, `hls-swarm ${VERSION}`]);

  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const agent = uniqueAgent("bundle");
    const swarm = await run(deno, [
      ...argv,
      "--clients=2",
      "--duration=10s",
      "--metrics=off",
      `--user-agent=${agent}`,
      "--summary-json=-",
      origin.url,
    ]);
    assertEquals(swarm.code, 0, swarm.stderr);
    const summary = JSON.parse(swarm.stdout);
    assertEquals(
      [summary.stopReason, summary.clients.started, summary.clients.receivedMedia],
      ["duration", 2, 2],
    );
    const log = await Deno.readTextFile(origin.accessLogPath);
    assert(log.includes(`${agent}/client-0`) && log.includes(`${agent}/client-1`));
  } finally {
    await origin.close();
  }
});

Deno.test("the client image runs a swarm from environment variables alone, under tini", async (t) => {
  await makeBundle();
  const bin = await programDir();
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const metrics = `http://127.0.0.1:${deploy.client.ports.metrics}/metrics`;
  const env = {
    HLS_SWARM_URL: origin.url,
    HLS_SWARM_CLIENTS: "3",
    HLS_SWARM_EXTRA_ARGS: "--variant first --no-cache",
  };
  try {
    await t.step("a 10 s run serves /metrics on the advertised port and exits 0", async () => {
      await waitForMetricsPort();
      const agent = uniqueAgent("image");
      const child = spawnClientImage(bin, {
        ...env,
        HLS_SWARM_DURATION: "10s",
        HLS_SWARM_USER_AGENT: agent,
      });
      let scrape = "";
      await waitFor(
        async () => {
          scrape = await fetch(metrics).then((r) => r.text(), () => "");
          return metricValue(scrape, "hlsswarm_clients_active") === 3;
        },
        // Start-up (preflight, FFmpeg's capabilities) is slow on a loaded machine; the clients
        // then stay active for the 10 s of the run.
        20_000,
        "3 active clients on /metrics",
      );
      assertEquals(metricValue(scrape, "hlsswarm_clients_target"), 3);
      const out = await child.output();
      const stdout = decoder.decode(out.stdout);
      assertEquals(out.code, 0, decoder.decode(out.stderr));
      assertMatch(stdout, /Target clients:\s+3\n/);
      assertMatch(stdout, /stopped by duration/);
      const log = await Deno.readTextFile(origin.accessLogPath);
      for (const id of [0, 1, 2]) assert(log.includes(`${agent}/client-${id}`), `client ${id}`);
    });

    await t.step("SIGTERM to tini, as docker stop sends it, leaves no FFmpeg", async () => {
      await waitForMetricsPort();
      const agent = uniqueAgent("image-stop");
      const child = spawnClientImage(bin, { ...env, HLS_SWARM_USER_AGENT: agent });
      await waitForClients(agent, 3);
      child.kill("SIGTERM");
      const out = await child.output();
      assertEquals(out.code, 0, decoder.decode(out.stderr));
      assertMatch(decoder.decode(out.stdout), /stopped by SIGTERM/);
      assertEquals(await ffmpegPids(agent), []);
    });
  } finally {
    await origin.close();
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("the test origin runner serves the stream through nginx, with both exporters", async () => {
  await makeBundle();
  const bin = await programDir();
  const ports = { http: freePort(), nodeExporter: freePort(), nginxExporter: freePort() };
  const config = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    config,
    JSON.stringify({ ...deploy, origin: { ...deploy.origin, ports } }),
  );
  const runner = new Deno.Command("bash", {
    args: [`${ROOT}nix/test-origin.sh`],
    env: {
      HLS_SWARM_DEPLOY: config,
      // Debian keeps nginx in /usr/sbin.
      PATH: `${bin}:${Deno.env.get("PATH")}:/usr/sbin`,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = runner.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const drained = (async () => {
    for (let r = await stderr.read(); !r.done; r = await stderr.read()) log += r.value;
  })();
  let exited = false;
  const status = runner.status.finally(() => exited = true);
  const base = `http://127.0.0.1:${ports.http}`;
  const get = (url: string) =>
    fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }));
  try {
    let playlist = "";
    await waitFor(
      async () => {
        if (exited) throw new Error(`the runner exited:\n${log}`);
        playlist = await get(`${base}${deploy.origin.streamPath}`).then((r) => r.body, () => "");
        return (playlist.match(/\.ts$/gm) ?? []).length >= 2;
      },
      20_000,
      "a playlist with 2 segments",
    );
    assertMatch(playlist, /#EXT-X-TARGETDURATION:2/);
    assertEquals(await get(`${base}/health`), { status: 200, body: "OK\n" });
    const segment = await fetch(`${base}/${playlist.match(/^\S+\.ts$/m)![0]}`);
    assertEquals([segment.status, segment.headers.get("content-type")], [200, "video/mp2t"]);
    await segment.body?.cancel();
    const nginxMetrics = await get(`http://127.0.0.1:${ports.nginxExporter}/metrics`);
    assertMatch(nginxMetrics.body, /^nginx_up 1$/m);
    const nodeMetrics = await get(`http://127.0.0.1:${ports.nodeExporter}/metrics`);
    assertMatch(nodeMetrics.body, /^node_memory_MemTotal_bytes /m);

    // The client image against it: 2 viewers through nginx.
    await waitForMetricsPort();
    const client = spawnClientImage(bin, {
      STREAM_URL: `${base}${deploy.origin.streamPath}`,
      CLIENTS: "2",
      DURATION: "6s",
    });
    const out = await client.output();
    assertEquals(out.code, 0, decoder.decode(out.stderr));
    assertMatch(decoder.decode(out.stdout), /Clients with media:\s+2\n/);
  } finally {
    const children = await childPids(runner.pid);
    if (!exited) runner.kill("SIGTERM");
    const { code } = await status;
    await drained;
    await Deno.remove(config);
    await Deno.remove(bin, { recursive: true });
    assertEquals(code, 0, log);
    for (const pid of children) {
      assert(!(await alive(pid)), `runner child ${pid} survived:\n${log}`);
    }
  }
});

/** Pids whose parent is `pid`. */
async function childPids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    if (stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] === String(pid)) {
      pids.push(Number(entry.name));
    }
  }
  return pids;
}

/** Whether `pid` is a live (not zombie) process. */
async function alive(pid: number): Promise<boolean> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}
