/**
 * The dashboard in a real terminal: hls-swarm runs in tmux at 120×40 and 80×24 against the
 * built-in origin's stream served by nginx, watched through real node and nginx exporters (the
 * origin panel); the screen is captured and read, `q` ends the run with the exit summary and no
 * FFmpeg left. And without a terminal on stdout, the progress log line comes back.
 *
 * Set TUI_CAPTURE_DIR to keep the captured screens.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { shellQuote, swarmCommand, Tmux } from "./tmux.ts";
import {
  ffmpegPids,
  startNginx,
  startNginxExporter,
  startNodeExporter,
  uniqueAgent,
} from "./helpers.ts";

async function keepScreen(name: string, screen: string): Promise<void> {
  const dir = Deno.env.get("TUI_CAPTURE_DIR");
  if (dir) await Deno.writeTextFile(`${dir}/${name}.txt`, screen);
}

/** A number in the screen after `label`, e.g. the segment count of the requests panel. */
function figure(screen: string, pattern: RegExp): number {
  const m = screen.match(pattern);
  return m ? Number(m[1]) : NaN;
}

/** Ten clients running for at least 12 s (the rates' 10 s window is full), with traffic. */
const LIVE = (screen: string) =>
  screen.includes("clients 10/10 running") &&
  figure(screen, /elapsed 0:(\d\d)/) >= 12 &&
  /── Origin ─+ healthy/.test(screen) &&
  /CPU [\d.]+ %/.test(screen) &&
  figure(screen, /segment\s+(\d+)\s+[\d.]+\/s/) > 0 &&
  figure(screen, /TTFB segment\s+([\d.]+)/) > 0 &&
  /now\s+[\d.]+ [kMG]bit\/s/.test(screen);

Deno.test({
  name: "the dashboard in a real terminal: live panels, q quits, summary, no FFmpeg left",
  fn: async (t) => {
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    const nginx = await startNginx(origin.dir);
    const node = await startNodeExporter();
    const nginxExporter = await startNginxExporter(nginx);
    try {
      for (const [width, height] of [[120, 40], [80, 24]] as const) {
        await t.step(`${width}×${height}`, async () => {
          const tmux = new Tmux();
          const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-" });
          const agent = uniqueAgent(`tui${width}`);
          try {
            const args = [
              "--clients=10",
              "--ramp-rate=10",
              "--metrics=off",
              "--duration=5m",
              `--origin-metrics=${node.url}`,
              `--nginx-metrics=${nginxExporter.url}`,
              "--origin-metrics-interval=1s",
              `--user-agent=${agent}`,
              nginx.url("/stream.m3u8"),
            ];
            await tmux.start(swarmCommand(dir, args), width, height);
            // Live figures: 10 clients running, segments fetched, rates and latencies known.
            const live = await tmux.waitFor(LIVE, 60_000, "live figures");
            for (
              const title of [
                "hls-swarm",
                "● metrics",
                "ramp",
                "10/10 started (100 %) complete",
                "── Requests",
                "── Throughput",
                "── Latency, ms",
                "segment download (inferred)",
                "── Playback",
                "── Errors",
                "q quit · d show clients",
                "logs: hls-swarm-",
              ]
            ) assertStringIncludes(live, title, live);
            await keepScreen(`tui-${width}x${height}-live`, live);
            const lines = live.split("\n");
            assert(lines.every((l) => l.length <= width), live);

            // d shows the client table.
            await tmux.run("send-keys", "-t", "main", "d");
            const details = await tmux.waitFor(
              (s) => s.includes("── Clients, worst first") && /\d+ of 10 · d hides/.test(s),
              5000,
              "the client table",
            );
            assert(/^\s+\d+\s+(ok|behind|stalled|waiting)\s/m.test(details), details);
            await keepScreen(`tui-${width}x${height}`, details);

            if (width === 80) {
              // A resize redraws at the new size (SIGWINCH): full panels come back at 120×40.
              await tmux.run("resize-window", "-t", "main", "-x", "120", "-y", "40");
              await tmux.waitFor(
                (s) => s.split("\n").some((l) => l.length > 80) && /p50\s+p90\s+p95/.test(s),
                5000,
                "the redraw at 120×40",
              );
            }

            // q: the graceful shutdown, the summary on the normal screen, exit 0.
            await tmux.run("send-keys", "-t", "main", "q");
            const after = await tmux.waitFor(
              (s) => /EXIT=\d+/.test(s),
              30_000,
              "the exit",
              true,
            );
            // q before --duration is up cuts the run short, like Ctrl+C: exit 3.
            assertStringIncludes(after, "EXIT=3", after);
            assertStringIncludes(after, "hls-swarm exit summary");
            assertStringIncludes(after, "(stopped by quit)");
            assertStringIncludes(after, "the run's log is in");
            assert(!after.includes("── Requests"), "the dashboard is gone from the screen");
            assertEquals(await ffmpegPids(agent), []);

            // The logs went to the file named in the footer.
            const files = [...Deno.readDirSync(dir)].map((e) => e.name);
            const log = files.find((f) => /^hls-swarm-\d{8}-\d{6}\.log$/.test(f));
            assert(log, `log file in ${dir}: ${files}`);
            const text = await Deno.readTextFile(`${dir}/${log}`);
            assertStringIncludes(text, '"msg":"client_started"');
            assertStringIncludes(text, '"msg":"shutdown_started","reason":"quit"');
          } finally {
            await tmux.kill();
            await Deno.remove(dir, { recursive: true });
          }
        });
      }

      await t.step("stdout to a file: no dashboard, progress on stderr, --duration", async () => {
        const tmux = new Tmux();
        const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-" });
        const agent = uniqueAgent("tuipipe");
        try {
          const args = [
            "--clients=10",
            "--ramp-rate=10",
            "--metrics=off",
            "--duration=8s",
            `--user-agent=${agent}`,
            origin.url,
          ];
          const started = Date.now();
          await tmux.start(swarmCommand(dir, args, ` > ${shellQuote(`${dir}/stdout.txt`)}`));
          const screen = await tmux.waitFor((s) => /EXIT=\d+/.test(s), 40_000, "the exit", true);
          const elapsed = Date.now() - started;
          assertStringIncludes(screen, "EXIT=0", screen);
          // stderr is still the terminal: the text progress record every 5 s.
          assert(/INFO\s+progress running=10 target=10/.test(screen), screen);
          const stdout = await Deno.readTextFile(`${dir}/stdout.txt`);
          assertStringIncludes(stdout, "hls-swarm exit summary");
          assertStringIncludes(stdout, "(stopped by duration)");
          // 8 s of traffic, plus preflight and shutdown (slower on a loaded machine).
          const ran = figure(stdout, /Run duration:\s+00:00:(\d\d)/);
          assert(ran >= 8 && ran < 20, stdout);
          assert(!stdout.includes("\x1b"), "no escape codes in the piped output");
          assert(elapsed >= 8000, `ran ${elapsed} ms`);
          assertEquals(
            [...Deno.readDirSync(dir)].map((e) => e.name),
            ["stdout.txt"],
            "no log file: logs stay on stderr",
          );
          assertEquals(await ffmpegPids(agent), []);
        } finally {
          await tmux.kill();
          await Deno.remove(dir, { recursive: true });
        }
      });
    } finally {
      await nginxExporter.stop();
      await node.stop();
      await nginx.stop();
      await origin.close();
    }
  },
});
