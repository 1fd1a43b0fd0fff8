/**
 * Secrets stay out of every artifact: a run with an Authorization header, a custom secret header
 * and a signed URL (`?token=…`), with FFmpeg's own stderr copied into the log (it echoes request
 * lines and headers), and every output on: text and JSON logs, the summary (text, JSON, summary
 * line), the timeline, JUnit, the request log, /metrics, and the dashboard with its log file. Only --print-cmd
 * shows them, exactly, with a warning.
 *
 * Then every message printed before the config has loaded (bad URLs, bad headers, bad variables,
 * commander's errors, a crash), through the real CLI; and a stream that redirects to another
 * origin, which preflight and the probe must not hand the credentials to.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import {
  finishSwarm,
  freePort,
  ROOT,
  runSwarm,
  spawnSwarm,
  uniqueAgent,
  waitFor,
} from "./helpers.ts";
import { swarmCommand, Tmux } from "./tmux.ts";

const SECRET_BEARER = "SeCrEtBeArEr-4f7a91c2";
const SECRET_TOKEN = "SeCrEtToKeN-8b2e55d0";
const SECRET_KEY = "SeCrEtApIkEy-77aa01";
const SECRET_PASS = "SeCrEtPaSs-31c4e9";

/** Fails naming the artifact when any secret is in `text`. */
function assertClean(what: string, text: string): void {
  assert(text.length > 0, `${what} is empty`);
  for (const secret of [SECRET_BEARER, SECRET_TOKEN, SECRET_KEY, SECRET_PASS]) {
    const at = text.indexOf(secret);
    assert(at < 0, `${what} holds a secret: …${text.slice(Math.max(0, at - 80), at + 40)}…`);
  }
}

Deno.test("no secret in any artifact; --print-cmd is exact and warns", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-secrets-" });
  const url = `${origin.url}?token=${SECRET_TOKEN}&user=viewer`;
  const secretFlags = [
    `--header=Authorization: Bearer ${SECRET_BEARER}`,
    `--header=X-Api-Key: ${SECRET_KEY}`,
    "--redact-header=x-api-key",
  ];
  try {
    await t.step("logs, summary, summary line, timeline, JUnit and /metrics", async () => {
      const port = freePort();
      const files = {
        json: `${dir}/s.json`,
        csv: `${dir}/t.csv`,
        junit: `${dir}/j.xml`,
        requests: `${dir}/r.ndjson`,
      };
      const child = spawnSwarm([
        "--clients=2",
        "--ramp-rate=4",
        "--duration=10s",
        `--metrics=127.0.0.1:${port}`,
        "--ffmpeg-debug",
        "--log-level=debug",
        "--summary-line",
        `--summary-json=${files.json}`,
        `--timeline=${files.csv}`,
        `--junit=${files.junit}`,
        `--request-log=${files.requests}`,
        "--threshold=error_rate<50%",
        ...secretFlags,
        url,
      ]);
      let metrics = "";
      await waitFor(
        async () => {
          metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
          return metrics.includes("hlsswarm_info");
        },
        20_000,
        "/metrics",
      );
      const run = await finishSwarm(child);
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      // The secrets did reach FFmpeg and the origin: the run used them.
      const served = await Deno.readTextFile(origin.accessLogPath);
      assertStringIncludes(served, SECRET_TOKEN);
      assert(run.logs.some((l) => l.msg === "ffmpeg_stderr"), "FFmpeg's lines were logged");
      assertStringIncludes(run.stderr, "?<redacted>");
      assertClean("stderr (JSON logs)", run.stderr);
      assertClean("stdout (summary text and line)", run.stdout);
      assertClean("/metrics", metrics);
      for (const [name, path] of Object.entries(files)) {
        assertClean(name, await Deno.readTextFile(path));
      }
    });

    await t.step("the dashboard and its log file", async () => {
      const tmux = new Tmux();
      try {
        await tmux.start(swarmCommand(dir, [
          "--clients=2",
          "--duration=8s",
          "--metrics=off",
          "--ffmpeg-debug",
          "--log-level=debug",
          ...secretFlags,
          url,
        ]));
        const live = await tmux.waitFor(
          (s) => s.includes("clients 2/2 running"),
          30_000,
          "the dashboard",
        );
        assertClean("the dashboard", live);
        const after = await tmux.waitFor((s) => /EXIT=\d+/.test(s), 30_000, "the exit", true);
        assertClean("the screen after the run", after);
        const log = [...Deno.readDirSync(dir)].find((e) =>
          /^hls-swarm-\d{8}-\d{6}\.log$/.test(e.name)
        );
        assert(log, "the dashboard's log file");
        assertClean("the dashboard's log file", await Deno.readTextFile(`${dir}/${log.name}`));
      } finally {
        await tmux.kill();
      }
    });

    await t.step("--print-cmd prints them exactly, and warns", async () => {
      const run = await runSwarm([
        "--print-cmd",
        `--user-agent=${uniqueAgent("print")}`,
        ...secretFlags,
        url,
      ]);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stdout, SECRET_BEARER);
      assertStringIncludes(run.stdout, SECRET_TOKEN);
      assertStringIncludes(run.stderr, "the command above holds secrets");
    });
  } finally {
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** A bad input that holds secrets: how it is given, the exit code, what stderr must say. */
interface BadInput {
  name: string;
  args: string[];
  env?: Record<string, string>;
  code: number;
  says: string;
}

Deno.test("every message before the config loads is redacted: argv and env, exit codes", async () => {
  const closed = `http://127.0.0.1:${freePort()}/stream.m3u8?token=${SECRET_TOKEN}`;
  const ok = "http://127.0.0.1:9/stream.m3u8";
  const unparsable = `http://viewer:${SECRET_PASS}@cdn:99999/live.m3u8?token=${SECRET_TOKEN}`;
  const badMetrics = `http://me:${SECRET_PASS}@node:99999/metrics?key=${SECRET_KEY}`;
  const headerLines = `Authorization: Bearer ${SECRET_BEARER}\nX-Api-Key ${SECRET_KEY}`;
  const cases: BadInput[] = [
    { name: "argv URL that fails to parse", args: [unparsable], code: 2, says: "not a valid URL" },
    {
      name: "argv header with no ':'",
      args: [`--header=Bearer ${SECRET_BEARER}`, ok],
      code: 2,
      says: "--header #1 of 1 has no ':'",
    },
    {
      name: "argv header with a bad name",
      args: ["--header", `Auth orization: Bearer ${SECRET_BEARER}`, ok],
      code: 2,
      says: "has a name with characters",
    },
    {
      name: "HLS_SWARM_HEADER bad line",
      args: [ok],
      env: { HLS_SWARM_HEADER: headerLines },
      code: 2,
      says: "header 2 of 2 in HLS_SWARM_HEADER has no ':'",
    },
    {
      name: "HEADERS (Go alias) bad line",
      args: [ok],
      env: { HEADERS: headerLines },
      code: 2,
      says: "header 2 of 2 in HEADERS has no ':'",
    },
    {
      name: "HLS_SWARM_URL fails to parse",
      args: [],
      env: { HLS_SWARM_URL: unparsable },
      code: 2,
      says: "not a valid URL",
    },
    {
      name: "STREAM_URL (alias) fails to parse",
      args: [],
      env: { STREAM_URL: unparsable },
      code: 2,
      says: "not a valid URL",
    },
    {
      name: "--origin-metrics fails new URL",
      args: [`--origin-metrics=${badMetrics}`, ok],
      code: 2,
      says: "origin-metrics: not a valid URL",
    },
    {
      name: "HLS_SWARM_ORIGIN_METRICS fails new URL",
      args: [ok],
      env: { HLS_SWARM_ORIGIN_METRICS: badMetrics },
      code: 2,
      says: "origin-metrics: not a valid URL",
    },
    {
      name: "ORIGIN_METRICS (alias): dropped, then preflight fails",
      args: ["--ffmpeg-debug", closed],
      env: { ORIGIN_METRICS: badMetrics },
      code: 1,
      says: "ORIGIN_METRICS=",
    },
    {
      name: "commander: unknown flag with a secret",
      args: [`--bogus=${SECRET_TOKEN}`, closed],
      code: 2,
      says: "unknown option '--bogus=<redacted>'",
    },
    {
      name: "EXTRA_ARGS with a bad header",
      args: [ok],
      env: { EXTRA_ARGS: `--header 'Cookie ${SECRET_KEY}'` },
      code: 2,
      says: "--header #1 of 1 has no ':'",
    },
    {
      name: "--resolve given a URL with user info",
      args: ["--dangerous", `--resolve=http://u:${SECRET_PASS}@10.0.0.1`, ok],
      code: 2,
      says: "give an IP address, not a URL",
    },
  ];
  const table: string[] = [];
  for (const c of cases) {
    const run = await runSwarm(c.args, c.env);
    const out = run.stdout + run.stderr;
    table.push(`${c.name.padEnd(56)} exit ${run.code}`);
    assertEquals(run.code, c.code, `${c.name}: ${out.slice(-1500)}`);
    assertStringIncludes(run.stderr, c.says, c.name);
    assertClean(c.name, out);
  }
  console.log(table.join("\n"));
});

Deno.test("an uncaught error or rejection is one redacted line, exit 1; its stack only at debug", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fatal-" });
  try {
    const script = `${dir}/crash.ts`;
    // The real handler of src/main.ts, with the real raw redactor of this process's argv.
    await Deno.writeTextFile(
      script,
      `import { debugWanted, installFatalHandlers } from "${ROOT}src/cli/fatal.ts";
import { rawRedactor } from "${ROOT}src/config/raw_redactor.ts";
const env = Deno.env.toObject();
const fail = installFatalHandlers(globalThis, { write: (t) => Deno.stderr.writeSync(
  new TextEncoder().encode(t)), redactor: rawRedactor(Deno.args, env),
  debug: debugWanted(Deno.args, env), exit: (c) => Deno.exit(c) });
const url = Deno.args.at(-1);
if (Deno.args[0] === "throw") try { throw new Error("fetch " + url); } catch (e) { fail(e); }
if (Deno.args[0] === "reject") Promise.reject(new TypeError("bad " + url + "\\nsecond line"));
if (Deno.args[0] === "event") setTimeout(() => { throw new RangeError("late " + url); }, 1);
`,
    );
    const url = `http://u:${SECRET_PASS}@cdn/x.m3u8?token=${SECRET_TOKEN}`;
    const table: string[] = [];
    for (
      const [mode, debug] of [["throw", false], ["reject", false], ["event", false], [
        "throw",
        true,
      ]] as const
    ) {
      const args = [
        "run",
        "-A",
        script,
        mode,
        ...(debug ? ["-v"] : []),
        `--header=Authorization: Bearer ${SECRET_BEARER}`,
        url,
      ];
      const out = await new Deno.Command(Deno.execPath(), {
        args,
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const stderr = new TextDecoder().decode(out.stderr);
      table.push(`${mode}${debug ? " -v" : ""}: exit ${out.code}: ${stderr.split("\n")[0]}`);
      assertEquals(out.code, 1, stderr);
      assertStringIncludes(stderr, "hls-swarm: internal error: ");
      assertClean(`${mode} stderr`, stderr);
      if (debug) assertStringIncludes(stderr, "crash.ts:");
      else assertEquals(stderr.trim().split("\n").length, 1, stderr);
    }
    console.log(table.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a redirect to another origin: preflight and probe keep the credentials, and warn", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-redirect-" });
  const originBase = new URL(origin.url).origin;
  // "away" (127.0.0.2, another origin) proxies to the test origin, records each request's
  // User-Agent and credentials, and moves the token into the segment paths as some CDNs do.
  const seen: { agent: string; path: string; auth: boolean; key: boolean; cookie: boolean }[] = [];
  const away = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen: () => {} }, async (req) => {
    const { pathname } = new URL(req.url);
    const h = req.headers;
    seen.push({
      agent: h.get("user-agent") ?? "",
      path: pathname,
      auth: h.has("authorization"),
      key: h.has("x-api-key"),
      cookie: h.has("cookie"),
    });
    const res = await fetch(originBase + pathname.replace(`/tok/${SECRET_TOKEN}/`, "/"));
    if (!pathname.endsWith(".m3u8")) return new Response(res.body, { status: res.status });
    const body = (await res.text())
      .replace(/^(?!#)(\S+\.(ts|m4s|mp4))$/gm, `tok/${SECRET_TOKEN}/$1`);
    return new Response(body, { status: res.status });
  });
  const awayBase = `http://127.0.0.2:${away.addr.port}`;
  const home = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => Response.redirect(awayBase + new URL(req.url).pathname, 302),
  );
  try {
    const agent = uniqueAgent("redirect");
    const requests = `${dir}/r.ndjson`;
    const run = await runSwarm([
      "--clients=1",
      "--duration=6s",
      "--metrics=off",
      "--variant=highest",
      "--ffmpeg-debug",
      `--user-agent=${agent}`,
      `--request-log=${requests}`,
      "--header=Cookie: session=" + SECRET_KEY,
      `--header=Authorization: Bearer ${SECRET_BEARER}`,
      `--header=X-Api-Key: ${SECRET_KEY}`,
      "--redact-header=x-api-key",
      `http://127.0.0.1:${home.addr.port}/${
        new URL(origin.url).pathname.slice(1)
      }?token=${SECRET_TOKEN}`,
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const byAgent = (suffix: string) => seen.filter((s) => s.agent === `${agent}/${suffix}`);
    const table = ["preflight", "probe", "client-0"].map((who) => {
      const r = byAgent(who);
      const sent = r.filter((s) => s.auth || s.key || s.cookie).length;
      return `${
        who.padEnd(10)
      } requests at the other origin: ${r.length}, with credentials: ${sent}`;
    });
    console.log(table.join("\n"));
    for (const who of ["preflight", "probe"]) {
      assert(byAgent(who).length > 0, `${who} reached the other origin`);
      assertEquals(byAgent(who).filter((s) => s.auth || s.key || s.cookie), [], who);
    }
    // The FFmpeg clients themselves: what the warning is about (they followed with headers).
    assert(byAgent("client-0").some((s) => s.path.includes(`/tok/${SECRET_TOKEN}/`)));
    const notice = run.stderr.split("\n").find((l) => l.startsWith("hls-swarm: warning: "));
    console.log(notice);
    assertStringIncludes(notice ?? "", `the stream redirects to another origin, ${awayBase}`);
    const logged = run.logs.find((l) => l.msg === "preflight_warning" && l.check === "stream");
    assert(logged, "a preflight_warning log event");
    const log = await Deno.readTextFile(requests);
    assertStringIncludes(log, "/tok/<redacted>/");
    assertClean("stderr", run.stderr);
    assertClean("stdout", run.stdout);
    assertClean("request log", log);
  } finally {
    await Promise.all([home.shutdown(), away.shutdown()]);
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
