/**
 * The command line as a user meets it: help, version, --print-cmd, and the message and exit code
 * for each kind of bad input (docs/usage.md, "Exit codes").
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { VERSION } from "../src/version.ts";
import { freePort, runSwarm, uniqueAgent } from "./helpers.ts";

Deno.test("--help groups flags by category and shows each flag's variable", async () => {
  const run = await runSwarm(["--help"]);
  assertEquals(run.code, 0);
  // Help wraps to the terminal width; compare with whitespace folded.
  run.stdout = run.stdout.replace(/\s+/g, " ");
  for (
    const heading of [
      "Orchestration:",
      "Variant selection:",
      "Network:",
      "FFmpeg:",
      "Stats collection:",
      "Observability:",
      "Safety and diagnostics:",
    ]
  ) assertStringIncludes(run.stdout, heading);
  assertStringIncludes(run.stdout, "--clients <n>");
  assertStringIncludes(run.stdout, "env: HLS_SWARM_CLIENTS or CLIENTS");
  assertStringIncludes(run.stdout, "env: HLS_SWARM_RAMP_RATE or RAMP_RATE");
  assertStringIncludes(run.stdout, "env: HLS_SWARM_SHARD)");
});

Deno.test("--version and -version print the version", async () => {
  for (const flag of ["--version", "-version"]) {
    const run = await runSwarm([flag]);
    assertEquals([run.code, run.stdout.trim()], [0, `hls-swarm ${VERSION}`]);
  }
});

Deno.test("deno.json carries the same version as src/version.ts", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assertEquals(denoJson.version, VERSION);
});

Deno.test("--print-cmd prints client 0's exact argv, and pasted into bash it runs", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const agent = uniqueAgent("printcmd");
    const run = await runSwarm([
      "--print-cmd",
      "--no-cache",
      "--header",
      "X-Test: a b",
      "--user-agent",
      agent,
      origin.url,
    ]);
    assertEquals(run.code, 0, run.stderr);
    const command = run.stdout.split("\n").find((l) => l.startsWith("ffmpeg "))!;
    assertStringIncludes(command, `-user_agent ${agent}/client-0`);
    assertStringIncludes(command, "$'Cache-Control: no-cache");
    // Run the pasted command for 4 s: it must fetch segments with client 0's agent.
    const pasted = await new Deno.Command("bash", {
      args: ["-c", `timeout -s INT 4 ${command} >/dev/null 2>&1; true`],
    }).output();
    assertEquals(pasted.code, 0);
    const log = await Deno.readTextFile(origin.accessLogPath);
    assert(log.includes(`${agent}/client-0`) && log.includes(".ts "), log.slice(-500));
  } finally {
    await origin.close();
  }
});

Deno.test("--variant highest/lowest ask ffprobe once and map one HLS program", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
  try {
    const maps: Record<string, string> = {};
    for (const variant of ["highest", "lowest"]) {
      const run = await runSwarm(["--print-cmd", "--variant", variant, origin.url]);
      assertEquals(run.code, 0, run.stderr);
      const selected = run.logs.find((l) => l.msg === "variant_selected");
      assertEquals(selected?.variant, variant);
      maps[variant] = /-map (0:p:\d+)/.exec(run.stdout)?.[1] ?? "";
    }
    assert(maps.highest && maps.lowest && maps.highest !== maps.lowest, JSON.stringify(maps));
    // A media playlist is one program (0) to ffprobe: that is what gets mapped.
    const single = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    try {
      const run = await runSwarm(["--print-cmd", "--variant", "highest", single.url]);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stdout, "-map 0:p:0 ");
      const failing = await runSwarm([
        "--print-cmd",
        "--variant=lowest",
        "--probe-failure-policy=fail",
        `http://127.0.0.1:${freePort()}/master.m3u8`,
      ]);
      assertEquals(failing.code, 1);
      assertStringIncludes(failing.stderr, "variant probe failed");
    } finally {
      await single.close();
    }
  } finally {
    await origin.close();
  }
});

Deno.test("a container configures a run with environment variables alone", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const agent = uniqueAgent("envonly");
    const port = freePort();
    const env = {
      STREAM_URL: origin.url,
      CLIENTS: "2",
      RAMP_RATE: "10",
      DURATION: "4s",
      METRICS_PORT: String(port),
      USER_AGENT: agent,
      LOG_FORMAT: "json",
      EXTRA_ARGS: "--variant first --no-cache",
    };
    const run = await runSwarm([], env);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "Starts:                 2");
    assertStringIncludes(run.stdout, `Metrics endpoint was: http://127.0.0.1:${port}/metrics`);
    // EXTRA_ARGS arrived as separate words: the command has both flags' effects.
    const printed = await runSwarm([], { ...env, EXTRA_ARGS: `${env.EXTRA_ARGS} --print-cmd` });
    assertStringIncludes(printed.stdout, "-map '0:v:0?' -map '0:a:0?'");
    assertStringIncludes(printed.stdout, "Pragma: no-cache");
    // A flag beats its variable.
    const flagWins = await runSwarm(["--clients", "1", "--duration", "2s"], env);
    assertStringIncludes(flagWins.stdout, "Target clients:         1");
    const log = await Deno.readTextFile(origin.accessLogPath);
    assert(log.includes(`${agent}/client-0`) && log.includes(`${agent}/client-1`));
  } finally {
    await origin.close();
  }
});

Deno.test("--check runs one client for 10 s", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const run = await runSwarm(["--check", "--clients", "50", "--metrics", "off", origin.url]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "Target clients:         1");
    assertStringIncludes(run.stdout, "(stopped by duration)");
    assert(run.logs.some((l) => l.level === "debug"), "debug logging is on");
  } finally {
    await origin.close();
  }
});

Deno.test("without the fan-in, auto reads the pipes in Deno and says so", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const run = await runSwarm(
      ["--clients=2", "--ramp-rate=2", "--duration=8s", "--metrics=off", origin.url],
      { HLS_SWARM_FANIN: "/nonexistent/hls-swarm-fanin" },
    );
    assertEquals(run.code, 0, run.stderr);
    const fallback = run.logs.find((l) => l.msg === "line_reader_fallback");
    assertStringIncludes(String(fallback?.reason), "reading FFmpeg's pipes in Deno");
    assertEquals(run.logs.find((l) => l.msg === "run_started")?.line_reader, "deno");
    assertStringIncludes(run.stdout, "Lines dropped:          0 (0.00 %)");
    assert(/^\s+Segment\s+[1-9]/m.test(run.stdout), run.stdout);
  } finally {
    await origin.close();
  }
});

Deno.test("bad inputs get a clear message and a documented exit code", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busyPort = (busy.addr as Deno.NetAddr).port;
  // A server that accepts and closes the socket at once.
  const closer = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closerPort = (closer.addr as Deno.NetAddr).port;
  (async () => {
    for await (const conn of closer) conn.close();
  })();
  const dead = `http://127.0.0.1:${freePort()}/stream.m3u8`;
  const cases: {
    name: string;
    args: string[];
    env?: Record<string, string>;
    code: number;
    says: string;
  }[] = [
    {
      name: "bad URL scheme",
      args: ["ftp://example.test/x.m3u8"],
      code: 2,
      says: 'stream URL: scheme must be http or https (got "ftp")',
    },
    { name: "not a URL", args: ["not a url"], code: 2, says: "stream URL: not a valid URL" },
    { name: "no URL", args: [], code: 2, says: "stream URL: required" },
    {
      name: "--clients 0",
      args: ["--clients", "0", origin.url],
      code: 2,
      says: "clients: must be at least 1 (got 0)",
    },
    {
      name: "unknown flag",
      args: ["--bogus", origin.url],
      code: 2,
      says: "unknown option '--bogus'",
    },
    {
      name: "--resolve for another host",
      args: ["--resolve", "other.example:80:127.0.0.1", origin.url],
      code: 2,
      says: "resolve: other.example:80 is not the stream's",
    },
    {
      name: "bare number duration",
      args: ["--duration", "30", origin.url],
      code: 2,
      says: 'duration: needs a unit, e.g. "30s" or "30ms"',
    },
    {
      name: "several problems at once",
      args: ["--clients", "x", "--variant", "best", origin.url],
      code: 2,
      says: 'variant: must be one of all, highest, lowest, first (got "best")',
    },
    {
      name: "header with no ':'",
      args: ["--header", "Bearer t0k3n", origin.url],
      code: 2,
      says: "header: --header #1 of 1 has no ':'; expected \"Name: value\" (not shown",
    },
    {
      name: "a bad HEADERS line (Go alias) is an error too",
      args: [origin.url],
      env: { HEADERS: "Authorization: Bearer t0k3n\nX-Key t0k3n" },
      code: 2,
      says: "header: header 2 of 2 in HEADERS has no ':'",
    },
    {
      name: "origin-metrics URL that does not parse",
      args: ["--origin-metrics", "http://node:99999/metrics", origin.url],
      code: 2,
      says: 'origin-metrics: not a valid URL: "http://node:99999/metrics"',
    },
    {
      name: "bad boolean variable",
      args: [origin.url],
      env: { HLS_SWARM_DANGEROUS: "maybe" },
      code: 2,
      says: 'HLS_SWARM_DANGEROUS: expected true or false (got "maybe")',
    },
    {
      name: "EXTRA_ARGS with an open quote",
      args: [origin.url],
      env: { EXTRA_ARGS: "--header 'X: y" },
      code: 2,
      says: "EXTRA_ARGS: unterminated ' quote",
    },
    {
      name: "--tui forced on without a terminal",
      args: ["--tui", origin.url],
      code: 2,
      says: "--tui needs a terminal on stdout",
    },
    {
      name: "--line-reader native without the fan-in",
      args: ["--line-reader", "native", "--metrics", "off", origin.url],
      env: { HLS_SWARM_FANIN: "/nonexistent/hls-swarm-fanin" },
      code: 2,
      says: "--line-reader native: hls-swarm-fanin not found or not working at " +
        "/nonexistent/hls-swarm-fanin (build it with `make native`",
    },
    {
      name: "missing FFmpeg",
      args: ["--ffmpeg", "/nonexistent/ffmpeg", origin.url],
      code: 1,
      says: 'FFmpeg not usable at "/nonexistent/ffmpeg"',
    },
    {
      name: "unreachable origin",
      args: ["--metrics", "off", dead],
      code: 1,
      says: "preflight failed: stream (GET " + dead + " failed",
    },
    {
      name: "origin answers 404",
      args: ["--metrics", "off", origin.url.replace("stream.m3u8", "missing.m3u8")],
      code: 1,
      says: "answered HTTP 404",
    },
    {
      name: "origin closes the socket",
      args: ["--metrics", "off", `http://127.0.0.1:${closerPort}/stream.m3u8`],
      code: 1,
      says: "preflight failed: stream",
    },
    {
      name: "metrics port in use",
      args: ["--metrics", `127.0.0.1:${busyPort}`, "--duration", "1s", origin.url],
      code: 1,
      says: `cannot serve metrics on 127.0.0.1:${busyPort}: address already in use`,
    },
    {
      name: "unreachable origin with --skip-preflight: clients crash-loop",
      args: ["--skip-preflight", "--metrics", "off", "--duration", "3s", "--clients", "2", dead],
      code: 1,
      says: "run failed: no client received any media",
    },
  ];
  try {
    for (const c of cases) {
      await t.step(c.name, async () => {
        const run = await runSwarm(c.args, c.env);
        assertEquals(run.code, c.code, `${c.name}: ${run.stderr}`);
        assertStringIncludes(run.stderr, c.says);
        assertEquals(
          run.stderr.includes("Stack backtrace") || run.stderr.includes("    at "),
          false,
        );
      });
    }
  } finally {
    busy.close();
    closer.close();
    await origin.close();
  }
});
