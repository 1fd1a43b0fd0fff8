import { pipedClients } from "../lines/piped.ts";
import { zeroLineCounts } from "../lines/transport.ts";
import { createLogger } from "../log/logger.ts";
import type { Spawner } from "../process/spawner.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeSpawner } from "../testing/fake_spawner.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { Backoff, DEFAULT_BACKOFF } from "./backoff.ts";
import { ClientSupervisor } from "./supervisor.ts";
import type { ClientExit, ClientState } from "../stats/lifecycle.ts";

const log = createLogger({ format: "json", level: "error", sink: () => {} });

function supervise(spawner: Spawner) {
  const exits: ClientExit[] = [];
  const states: ClientState[] = [];
  const delays: number[] = [];
  const clock = new VirtualClock();
  const sup = new ClientSupervisor(7, {
    spawner: pipedClients(spawner, clock, log, { bufferLines: 1000 }),
    clock,
    backoff: new Backoff({ ...DEFAULT_BACKOFF, jitterFraction: 0 }, () => 0.5),
    command: () => ({ command: "ffmpeg", args: [] }),
    output: {
      line: () => {},
      counts: { stderr: zeroLineCounts(), progress: zeroLineCounts() },
      progress: false,
      stderr: true,
    },
    graceMs: 5000,
    hooks: {
      onExit: (e) => exits.push(e),
      onState: (_, s) => states.push(s),
      onRestartScheduled: (_, d) => delays.push(d),
    },
  });
  return { sup, exits, states, delays };
}

Deno.test("a crash-looping client backs off, restarts, and keeps its stderr tail", async () => {
  const stderr = "Server returned 404 Not Found\n";
  const spawner = new FakeSpawner([
    { exitCode: 1, stderr },
    { exitCode: 1, stderr },
    { exitCode: 1, stderr },
    { honours: ["SIGTERM"], stderr },
  ]);
  const { sup, exits, delays, states } = supervise(spawner);
  const stop = new AbortController();
  const done = sup.run(stop.signal);
  while (spawner.spawned < 4) await new Promise((r) => setTimeout(r, 1));
  stop.abort();
  await done;
  assertEquals(exits.map((e) => [e.code, e.requested]), [[1, false], [1, false], [1, false], [
    255,
    true,
  ]]);
  assertEquals(exits[0].stderrTail, ["Server returned 404 Not Found"]);
  assertEquals(delays.map(Math.round), [250, 425, 722]);
  assertEquals(spawner.signals, ["SIGTERM"]);
  assertEquals(states.at(-1), "stopped");
  assertEquals(sup.state, "stopped");
});

Deno.test("a client that ignores SIGTERM is killed after the grace period", async () => {
  const spawner = new FakeSpawner([{ honours: ["SIGKILL"] }]);
  const { sup, exits } = supervise(spawner);
  const stop = new AbortController();
  const done = sup.run(stop.signal);
  await new Promise((r) => setTimeout(r, 1));
  stop.abort();
  await done;
  assertEquals(spawner.signals, ["SIGTERM", "SIGKILL"]);
  assertEquals(exits.map((e) => [e.code, e.requested]), [[137, true]]);
});

Deno.test("kill() sends SIGKILL at once (second Ctrl+C)", async () => {
  const spawner = new FakeSpawner([{ honours: ["SIGKILL"] }]);
  const { sup, exits } = supervise(spawner);
  const stop = new AbortController();
  const done = sup.run(stop.signal);
  await new Promise((r) => setTimeout(r, 1));
  sup.kill();
  stop.abort();
  await done;
  assertEquals(spawner.signals[0], "SIGKILL");
  assertEquals(exits.map((e) => e.requested), [true]);
});

Deno.test("restart() stops the running FFmpeg and the loop starts a fresh one", async () => {
  const spawner = new FakeSpawner([{ honours: ["SIGTERM"] }]);
  const { sup, exits } = supervise(spawner);
  const stop = new AbortController();
  const done = sup.run(stop.signal);
  await new Promise((r) => setTimeout(r, 1));
  assertEquals(sup.restart("stalled"), true);
  assertEquals(sup.restart("stalled"), false); // already stopping
  while (spawner.spawned < 2) await new Promise((r) => setTimeout(r, 1));
  stop.abort();
  await done;
  assertEquals(exits.map((e) => [e.code, e.requested, e.reason]), [
    [255, true, "stalled"],
    [255, true, "shutdown"],
  ]);
});

Deno.test("an overlong stderr line is kept truncated and counted, never fatal", async () => {
  const stderr = "x".repeat(20_000) + "\nok\n";
  const spawner = new FakeSpawner([{ exitCode: 1, stderr }, { honours: ["SIGTERM"], stderr }]);
  const { sup, exits } = supervise(spawner);
  const stop = new AbortController();
  const done = sup.run(stop.signal);
  while (spawner.spawned < 2) await new Promise((r) => setTimeout(r, 1));
  stop.abort();
  await done;
  assertEquals(exits[0].truncatedLines, 1);
  assertEquals(exits[0].stderrTail.map((l) => l.length), [8192, 2]);
});
