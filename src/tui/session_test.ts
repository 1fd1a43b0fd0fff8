import ansiEscapes from "ansi-escapes";
import type { SwarmConfig } from "../config/config.ts";
import { loadConfig } from "../config/load.ts";
import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import type { TerminalIo } from "./dashboard.ts";
import {
  colorAllowed,
  dashboardLogName,
  DashboardSession,
  dashboardWanted,
  openDashboardLog,
} from "./session.ts";
import { syntheticSwarm } from "./synthetic.ts";

function config(): SwarmConfig {
  const r = loadConfig({}, "http://127.0.0.1:17080/stream.m3u8");
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.config;
}

Deno.test("dashboardWanted: auto follows stdout, --tui=false wins, --check keeps its log", () => {
  assertEquals(dashboardWanted({ tui: null, check: false }, true), true);
  assertEquals(dashboardWanted({ tui: null, check: false }, false), false);
  assertEquals(dashboardWanted({ tui: false, check: false }, true), false);
  assertEquals(dashboardWanted({ tui: true, check: false }, true), true);
  assertEquals(dashboardWanted({ tui: null, check: true }, true), false);
  assertEquals(dashboardWanted({ tui: true, check: true }, true), true);
});

Deno.test("colorAllowed honours NO_COLOR (when not empty) and TERM=dumb", () => {
  assertEquals(colorAllowed({}), true);
  assertEquals(colorAllowed({ NO_COLOR: "1" }), false);
  assertEquals(colorAllowed({ NO_COLOR: "" }), true);
  assertEquals(colorAllowed({ TERM: "dumb" }), false);
});

Deno.test("the log file: timestamped, never reused, next directory when one fails", async () => {
  const at = new Date(2025, 0, 2, 3, 4, 5).getTime();
  assertEquals(dashboardLogName(at), "hls-swarm-20250102-030405.log");
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-" });
  try {
    const a = openDashboardLog(at, [dir]);
    const b = openDashboardLog(at, [dir]);
    assertEquals(a.path, `${dir}/hls-swarm-20250102-030405.log`);
    assertEquals(b.path, `${dir}/hls-swarm-20250102-030405-2.log`);
    a.file.sink("one\n");
    a.file.close();
    b.file.close();
    assertEquals(await Deno.readTextFile(a.path), "one\n");
    const c = openDashboardLog(at, [`${dir}/missing/dir`, dir]);
    assertEquals(c.path, `${dir}/hls-swarm-20250102-030405-3.log`);
    c.file.close();
    let error = "";
    try {
      openDashboardLog(at, [`${dir}/missing`]);
    } catch (e) {
      error = (e as Error).message;
    }
    assertStringIncludes(error, "cannot create a log file");
    assertStringIncludes(error, `${dir}/missing`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

class ScreenIo implements TerminalIo {
  writes: string[] = [];
  keys = null;
  write(text: string): void {
    this.writes.push(text);
  }
  size() {
    return { columns: 120, rows: 40 };
  }
  onResize(): () => void {
    return () => {};
  }
}

Deno.test("a session logs to its file, tells the dashboard about the run, restores first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tui-" });
  try {
    const logFile = openDashboardLog(Date.now(), [dir]);
    let now = 1000;
    const session = new DashboardSession(config(), {}, logFile, dir, () => now);
    const io = new ScreenIo();
    const swarm = {
      ...syntheticSwarm({ clients: 3, seconds: 5 }),
      rampStartedAt: null as number | null,
      stopReason: null as string | null,
    };
    session.start(swarm, { onQuit: () => {}, onForceQuit: () => {}, io });
    const lastFrame = () =>
      io.writes.filter((w) => w.startsWith(ansiEscapes.cursorTo(0, 0))).at(-1)!;

    swarm.rampStartedAt = 1000;
    session.log.info("ramp_started", { clients: 3 });
    now = 6000;
    session.log.warn("client_exited", { client_id: 2, exit_code: 1, stderr_tail: ["x"] });
    swarm.stopReason = "SIGTERM";
    session.log.info("shutdown_started", { reason: "SIGTERM" });
    await new Promise((r) => setTimeout(r, 600)); // one 500 ms redraw
    const text = lastFrame();
    assertStringIncludes(text, "elapsed 0:05");
    assertStringIncludes(text, "stopping (SIGTERM)");
    assertStringIncludes(text, "client_exited client_id=2 exit_code=1");
    assertStringIncludes(text, `logs: ${logFile.path.slice(dir.length + 1)}`);

    const said: string[] = [];
    let rejected = "";
    try {
      await session.guard(Promise.reject(new Error("boom")), (t) => {
        said.push(t);
        // By the time anything is printed, the screen is back.
        assertEquals(io.writes.at(-1), ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
      });
    } catch (e) {
      rejected = (e as Error).message;
    }
    assertEquals(rejected, "boom");
    assertEquals(said, [`hls-swarm: the run's log is in ${logFile.path}\n`]);
    session.close((t) => said.push(t)); // idempotent
    assertEquals(said.length, 1);

    const logged = (await Deno.readTextFile(logFile.path)).trim().split("\n").map((l) =>
      JSON.parse(l).msg
    );
    assertEquals(logged, ["ramp_started", "client_exited", "shutdown_started", "run_error"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
