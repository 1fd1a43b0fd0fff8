/**
 * The dashboard at 80×24, 120×40 and 200×60 in a real terminal (tmux), against the built-in
 * origin without origin exporters (the usual case against a CDN): each screen read back from
 * tmux lays out without overlapping or garbled rows, and at 120×40 the lower half is filled with
 * the trends and the worst clients. One run, resized between the sizes (a real SIGWINCH redraw).
 *
 * A second run has an audience plan (`--stages`, `--session-duration`) and a rendition mix
 * against the ABR origin: the audience line, the Audience and Renditions panels lay out at the
 * same sizes, and at 120×40 show the plan's target, both renditions and the joins/leaves trends.
 *
 * Set TUI_CAPTURE_DIR to keep the captured screens.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { MAX_TREND_HEIGHT, TRENDS } from "../src/tui/trends.ts";
import { swarmCommand, Tmux } from "./tmux.ts";
import { ffmpegPids, uniqueAgent } from "./helpers.ts";

const CLIENTS = 5;
/** Without an audience plan, its trends (joins/s, leaves/s) are not shown. */
const PLAIN_TRENDS = TRENDS.filter((t) => !t.audience);

/** Panel titles, top to bottom (a pair on one row counts once, left first). */
const TITLES: readonly string[] = [
  "── Requests",
  "── Throughput",
  "── Latency, ms",
  "── Playback",
  "── Errors",
  "── Trends, per second",
  "── Worst clients",
];

/** The titles of a run with an audience plan and several renditions. */
const AUDIENCE_TITLES: readonly string[] = [
  "── Audience",
  "── Requests",
  "── Throughput",
  "── Latency, ms",
  "── Renditions",
  "── Playback",
  "── Errors",
  "── Trends, per second",
  "── Worst clients",
];

const cells = (line: string) => [...line].length;

/**
 * The screen's rows laid out as the renderer promises: exactly `height` rows of at most `width`
 * cells, the header on top and the keys on the bottom row, each title once and in order, titles
 * only at the start of a row or of its right-hand panel, rules never inside text, no escape code
 * printed as text, and every trend row in its columns (label, sparkline, now, peak).
 */
function checkLayout(
  screen: string,
  width: number,
  height: number,
  titles: readonly string[] = TITLES,
  /** How many of the first titles must be on the screen (the rest may be cut off below). */
  required = 6,
): string[] {
  const lines = screen.replace(/\n$/, "").split("\n");
  assertEquals(lines.length, height, screen);
  for (const line of lines) assert(cells(line) <= width, `wider than ${width}: ${line}`);
  assert(lines[0].startsWith(" hls-swarm"), screen);
  assertStringIncludes(lines[height - 1], "q quit · d show clients");
  assert(!screen.includes("\x1b") && !/\[\d+(;\d+)*m/.test(screen), "an escape code as text");
  const pairColumn = Math.floor((width - 2) / 2) + 2;
  const at: number[] = [];
  for (const title of titles) {
    const rows = lines.flatMap((l, i) => l.includes(title) ? [i] : []);
    assert(rows.length <= 1, `${title} on rows ${rows}:\n${screen}`);
    at.push(rows[0] ?? -1);
  }
  assert(at.slice(0, required).every((row) => row >= 0), `missing a title:\n${screen}`);
  const shown = at.filter((row) => row >= 0);
  assertEquals(shown, [...shown].sort((a, b) => a - b), `titles out of order:\n${screen}`);
  for (const [i, line] of lines.entries()) {
    // A rule starts a row or, in a pair of panels, the right-hand column.
    for (const m of line.matchAll(/── [A-Z]/g)) {
      assert(
        m.index === 0 || m.index === pairColumn,
        `a title at column ${m.index}, row ${i}:\n${screen}`,
      );
    }
    if (!line.includes("──")) continue;
    assert(
      line.startsWith("──") || line.indexOf("──") >= pairColumn - 1,
      `a rule inside row ${i}:\n${line}`,
    );
  }
  const trends = lines.filter((l) => TRENDS.some((t) => l.startsWith(` ${t.label} `)));
  // A trends panel on screen has its rows (at 80×24 the audience's panels leave none).
  const trendsShown = lines.some((l) => l.startsWith("── Trends, per second"));
  assert(!trendsShown || trends.length >= 2, `trend rows:\n${screen}`);
  for (const row of trends) {
    assert(/^ [a-z/ ]+ +[ ▁▂▃▄▅▆▇█]+ {2,}\S.* peak \S/.test(row), `a garbled trend row: ${row}`);
  }
  return lines;
}

async function keepScreen(name: string, screen: string): Promise<void> {
  const dir = Deno.env.get("TUI_CAPTURE_DIR");
  if (dir) await Deno.writeTextFile(`${dir}/${name}.txt`, screen);
}

Deno.test({
  name: "the dashboard at 80×24, 120×40 and 200×60: no overlaps, and the lower half is filled",
  fn: async () => {
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    const tmux = new Tmux();
    const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-sizes-" });
    const agent = uniqueAgent("tuisizes");
    try {
      const args = [
        `--clients=${CLIENTS}`,
        `--ramp-rate=${CLIENTS}`,
        "--metrics=off",
        "--duration=5m",
        `--user-agent=${agent}`,
        origin.url,
      ];
      await tmux.start(swarmCommand(dir, args), 120, 40);
      // Live: every client running for 12 s (the "now" window is full), viewers playing.
      const live = (s: string) =>
        s.includes(`clients ${CLIENTS}/${CLIENTS} running`) &&
        Number(s.match(/elapsed 0:(\d\d)/)?.[1] ?? 0) >= 12 &&
        /viewers playing +[ ▁▂▃▄▅▆▇█]+ +[1-9][\d.]* {2}peak/.test(s);
      for (const [width, height] of [[120, 40], [80, 24], [200, 60]] as const) {
        await tmux.run("resize-window", "-t", "main", "-x", String(width), "-y", String(height));
        const screen = await tmux.waitFor(
          // Redrawn at the new size: the footer on the new bottom row (a frame of the old size
          // would leave it higher up until the SIGWINCH redraw).
          (s) => live(s) && s.replace(/\n$/, "").split("\n")[height - 1]?.includes("q quit"),
          60_000,
          `the live dashboard at ${width}×${height}`,
        );
        await keepScreen(`tui-${width}x${height}`, screen);
        const lines = checkLayout(screen, width, height);
        if (width === 200) {
          // Room to spare: every trend's sparkline is 3 rows tall, the table just its rows.
          const trends = lines.findIndex((l) => l.startsWith("── Trends"));
          const table = lines.findIndex((l) => l.startsWith("── Worst clients"));
          assertEquals(table - trends, 1 + PLAIN_TRENDS.length * MAX_TREND_HEIGHT, screen);
          assertEquals(
            lines.slice(table + 2).filter((l) => /^\s+\d+\s+ok\s/.test(l)).length,
            CLIENTS,
          );
        }
        if (width === 120) {
          // The lower half (rows 21–39, the footer aside) is the trends and the worst clients.
          const lower = lines.slice(height / 2, height - 1);
          const filled = lower.filter((l) => l.trim()).length;
          assert(filled >= 15, `${filled} of ${lower.length} lower rows have content:\n${screen}`);
          const text = lower.join("\n");
          assertStringIncludes(text, "── Trends, per second");
          for (const t of PLAIN_TRENDS) assertStringIncludes(text, ` ${t.label} `);
          assertStringIncludes(text, `── Worst clients`);
          assert(new RegExp(`${CLIENTS} of ${CLIENTS} · d shows all`).test(text), text);
          const clientLines = lower.filter((l) =>
            /^\s+\d+\s+(ok|behind|stalled|waiting)\s/.test(l)
          );
          assertEquals(clientLines.length, CLIENTS, text);
        }
      }
      await tmux.run("send-keys", "-t", "main", "q");
      const after = await tmux.waitFor((s) => /EXIT=\d+/.test(s), 30_000, "the exit", true);
      assertStringIncludes(after, "EXIT=3", after);
      assertEquals(await ffmpegPids(agent), []);
    } finally {
      await tmux.kill();
      await Deno.remove(dir, { recursive: true });
      await origin.close();
    }
  },
});

Deno.test({
  name:
    "with stages and a rendition mix: the audience and renditions lay out at 80×24, 120×40, 200×60",
  fn: async () => {
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
    const tmux = new Tmux();
    const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-audience-" });
    const agent = uniqueAgent("tuiaudience");
    const slots = 8;
    try {
      const args = [
        // 0 → 8 viewers in 6 s, then 8 until the run is stopped; sessions of 20 s turn over.
        `--stages=6s:${slots},10m:${slots}`,
        "--session-duration=fixed:20s",
        "--variant-mix=360p=50%,180p=50%",
        "--metrics=off",
        "--duration=5m",
        `--user-agent=${agent}`,
        origin.url,
      ];
      await tmux.start(swarmCommand(dir, args), 120, 40);
      // Live: the plan's target reached, 12 s in, and both renditions with a request rate.
      const live = (s: string) =>
        new RegExp(` \\d+ viewers, target ${slots} · stage 2/2: hold ${slots}`).test(s) &&
        Number(s.match(/elapsed 0:(\d\d)/)?.[1] ?? 0) >= 12 &&
        /^ 360p +\d+ .*\d\.\d\/s/m.test(s) && /^ 180p +\d+ .*\d\.\d\/s/m.test(s);
      for (const [width, height] of [[120, 40], [80, 24], [200, 60]] as const) {
        await tmux.run("resize-window", "-t", "main", "-x", String(width), "-y", String(height));
        const screen = await tmux.waitFor(
          (s) => live(s) && s.replace(/\n$/, "").split("\n")[height - 1]?.includes("q quit"),
          60_000,
          `the live dashboard at ${width}×${height}`,
        );
        await keepScreen(`tui-audience-${width}x${height}`, screen);
        // At 80×24 the panels down to the renditions fit; the rest is cut off below.
        const lines = checkLayout(screen, width, height, AUDIENCE_TITLES, width === 80 ? 5 : 8);
        assert(lines[2].startsWith(" audience "), screen);
        if (width === 120) {
          const text = lines.join("\n");
          for (const t of TRENDS) assertStringIncludes(text, ` ${t.label} `);
          assert(/^ joins [\d.]+\/s \(\d+\) · leaves [\d.]+\/s \(\d+\)/m.test(text), text);
          assert(
            /rendition +viewers +req\/s +throughput +TTFB p95 ms +rebuffering/.test(text),
            text,
          );
        }
        if (width === 200) {
          // Room to spare: the full Audience panel, and every trend as tall as the table leaves.
          const text = lines.join("\n");
          assert(/^ joins +[\d.]+\/s {2}total \d+/m.test(text), text);
          assert(/^ sessions per slot +\d\.\d\d/m.test(text), text);
          const trends = lines.findIndex((l) => l.startsWith("── Trends"));
          const table = lines.findIndex((l) => l.startsWith("── Worst clients"));
          const tall = (table - trends - 1) / TRENDS.length;
          assert(Number.isInteger(tall) && tall >= 1 && tall <= MAX_TREND_HEIGHT, screen);
          const rows = lines.slice(table + 2).filter((l) =>
            /^\s+\d+\s+(ok|behind|waiting)\s/.test(l)
          );
          assertEquals(rows.length, slots, "the table has its rows, one per slot");
        }
      }
      await tmux.run("send-keys", "-t", "main", "q");
      const after = await tmux.waitFor((s) => /EXIT=\d+/.test(s), 30_000, "the exit", true);
      assertStringIncludes(after, "EXIT=3", after);
      assertEquals(await ffmpegPids(agent), []);
    } finally {
      await tmux.kill();
      await Deno.remove(dir, { recursive: true });
      await origin.close();
    }
  },
});
