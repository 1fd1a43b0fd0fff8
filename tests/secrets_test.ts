/**
 * Secrets stay out of every artifact: a run with an Authorization header, a custom secret header
 * and a signed URL (`?token=…`), with FFmpeg's own stderr copied into the log (it echoes request
 * lines and headers), and every output on: text and JSON logs, the summary (text, JSON, summary
 * line), the timeline, JUnit, the request log, /metrics, and the dashboard with its log file. Only --print-cmd
 * shows them, exactly, with a warning.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { finishSwarm, freePort, runSwarm, spawnSwarm, uniqueAgent, waitFor } from "./helpers.ts";
import { swarmCommand, Tmux } from "./tmux.ts";

const SECRET_BEARER = "SeCrEtBeArEr-4f7a91c2";
const SECRET_TOKEN = "SeCrEtToKeN-8b2e55d0";
const SECRET_KEY = "SeCrEtApIkEy-77aa01";

/** Fails naming the artifact when any secret is in `text`. */
function assertClean(what: string, text: string): void {
  assert(text.length > 0, `${what} is empty`);
  for (const secret of [SECRET_BEARER, SECRET_TOKEN, SECRET_KEY]) {
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
