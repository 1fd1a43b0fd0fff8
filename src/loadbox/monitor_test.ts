import { assertEquals } from "../testing/assert.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { LoadboxMonitor } from "./monitor.ts";
import { parseMeminfo, parseProcStat } from "./proc.ts";

const MEMINFO = "MemTotal:       1000000 kB\nMemAvailable:    600000 kB\n";

/** /proc files whose CPU counters advance by the given busy/idle/steal ticks each read. */
function fakeProc(steps: [busy: number, idle: number, steal: number][]) {
  let user = 0, idle = 0, steal = 0, i = 0;
  return (path: string) => {
    if (path === "/proc/meminfo") return Promise.resolve(MEMINFO);
    const [b, d, s] = steps[Math.min(i++, steps.length - 1)];
    user += b;
    idle += d;
    steal += s;
    return Promise.resolve(`cpu  ${user} 0 0 ${idle} 0 0 0 ${steal} 0 0\ncpu0 0 0 0 0\n`);
  };
}

Deno.test("/proc parsing: the aggregate cpu line and MemAvailable", () => {
  assertEquals(parseProcStat("cpu  1 2 3 4 5 6 7 8 9 10\n")?.get("all/steal"), 8);
  assertEquals(parseProcStat("garbage"), null);
  assertEquals(parseMeminfo(MEMINFO), { totalBytes: 1_024_000_000, availableBytes: 614_400_000 });
});

Deno.test("saturated seconds make windows; the report says when and why", async () => {
  // baseline, then 2 quiet seconds, 3 saturated (one of them by steal), 1 quiet.
  const box = new LoadboxMonitor(
    new VirtualClock(),
    fakeProc([[0, 0, 0], [50, 50, 0], [50, 50, 0], [99, 1, 0], [90, 0, 10], [98, 2, 0], [
      10,
      90,
      0,
    ]]),
  );
  const samples = [];
  for (let i = 0; i < 7; i++) samples.push(await box.sample());
  assertEquals(samples.map((s) => s.cpuPercent && Math.round(s.cpuPercent)), [
    null,
    50,
    50,
    99,
    100,
    98,
    10,
  ]);
  assertEquals(samples[4].stealPercent, 10);
  assertEquals(box.busy, false);
  const r = box.report();
  assertEquals([r.saturatedSeconds, r.cpuMaxPercent, r.windows.length], [3, 100, 1]);
  assertEquals(r.windows[0].seconds, 3);
  assertEquals(r.windows[0].reasons, ["CPU"]);
});

Deno.test("the load box per second: /proc/stat's tick deltas × 10 ms as busy and capacity, the loop's lag", async () => {
  // VirtualClock's wall time starts at 1_700_000_000_000: samples every 1000 ms land one a
  // second, each in the second holding the middle of the span it covers.
  const clock = new VirtualClock();
  const box = new LoadboxMonitor(clock, fakeProc([[0, 0, 0], [150, 50, 0], [30, 170, 0]]));
  await box.sample();
  assertEquals(box.series(), undefined, "the first sample only sets the baseline");
  await clock.sleep(1000);
  await box.sample();
  await clock.sleep(1000);
  await box.sample();
  // 200 ticks in a second is 2 cores (USER_HZ 100): 2000 ms there was, 1500 and 300 ms busy.
  assertEquals(box.series(), {
    start: 1_700_000_000,
    cpuBusyMs: [1500, 300],
    cpuCapacityMs: [2000, 2000],
    loopLagMaxMs: [0, 0],
  });
  // The same share as the sample's own cpuPercent.
  assertEquals(box.latest?.cpuPercent, 15);
});
