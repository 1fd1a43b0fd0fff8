import { pipedClients } from "../lines/piped.ts";
import { createLogger } from "../log/logger.ts";
import { systemClock } from "../clock.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeSpawner } from "../testing/fake_spawner.ts";
import { Partition } from "./partition.ts";

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("a viewer leaves: a graceful stop, not a failure nor a restart; its slot's next session follows", async () => {
  // Children that run until SIGTERM, and write nothing: no media ever comes.
  const fake = new FakeSpawner([{ honours: ["SIGTERM", "SIGKILL"] }]);
  const log = createLogger({ format: "json", level: "error", sink: () => {} });
  const shard = new Partition({
    spawner: pipedClients(fake, systemClock, log, { bufferLines: 100 }),
    clock: systemClock,
    log,
    seed: 1,
    command: (id) => ({ command: "ffmpeg", args: [`client-${id}`] }),
    options: { stats: true, ffmpegDebug: false, graceMs: 2000 },
    stats: { targetClients: 2, targetDurationMs: 2000, dropThreshold: 0.01 },
    restartOnStall: false,
  });
  const life = shard.stats.lifecycle;
  shard.start(0);
  shard.start(1);
  await until(() => life.running === 2, "two viewers");
  // Viewer 0 leaves, and a new viewer takes its slot at once: it starts once the old FFmpeg
  // has exited, never beside it.
  shard.leave(0);
  shard.start(0);
  await until(() => life.starts === 3 && life.running === 2, "slot 0's second session");
  assertEquals(fake.signals, ["SIGTERM"]);
  // Viewer 1 leaves; a new one joins and, still waiting for the slot, leaves again: counted as a
  // join and a leave, and no FFmpeg starts for it.
  shard.leave(1);
  shard.start(1);
  shard.leave(1);
  await until(() => life.running === 1, "viewer 1 gone");
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(life.starts, 3);
  shard.stop();
  await shard.finished();

  const snap = shard.snapshot();
  assertEquals(snap.lifecycle.exits, [
    { code: 255, requested: true, reason: "leave", count: 2 },
    { code: 255, requested: true, reason: "shutdown", count: 1 },
  ]);
  assertEquals(snap.lifecycle.restarts, 0, "a new session is not a restart");
  // No media came: the leave and the two stops are exits before video start, not failures.
  assertEquals(snap.viewers.sessions, { started: 0, vsf: 0, ebvs: 3 });
  // Joins - leaves: the one viewer the stop cut.
  const a = snap.audience;
  assertEquals([a.joins, a.leaves, a.cut], [4, 3, 1]);
  assertEquals(a.sessionMs.count, 2);
  assertEquals(a.slotSessions, { "1": 1, "2": 1 });
  assertEquals(snap.series.fields.joins.reduce((x, y) => x + y, 0), 4);
  assertEquals(snap.series.fields.leaves.reduce((x, y) => x + y, 0), 3);
});
