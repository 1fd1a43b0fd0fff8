import { assert, assertEquals } from "../testing/assert.ts";
import { LoadboxSeries, mergeLoadboxSeries } from "./loadbox_series.ts";

Deno.test("two boxes add busy and capacity on aligned seconds; the fleet's CPU % is Σbusy/Σcapacity", () => {
  // A 2-core box fully busy and an 8-core box idle, one second apart at their starts.
  const small = new LoadboxSeries(), big = new LoadboxSeries();
  small.add(100, { cpuBusyMs: 2000, cpuCapacityMs: 2000, loopLagMaxMs: 250 });
  small.add(101, { cpuBusyMs: 2000, cpuCapacityMs: 2000, loopLagMaxMs: 3 });
  big.add(101, { cpuBusyMs: 0, cpuCapacityMs: 8000, loopLagMaxMs: 40 });
  big.add(103, { cpuBusyMs: 800, cpuCapacityMs: 8000, loopLagMaxMs: 1 });
  const fleet = mergeLoadboxSeries([small.toWire(), undefined, big.toWire()])!;
  assertEquals(fleet, {
    start: 100,
    cpuBusyMs: [2000, 2000, 0, 800],
    cpuCapacityMs: [2000, 10000, 0, 8000],
    loopLagMaxMs: [250, 40, 0, 1],
  });
  // Second 101: 20 %, not the 50 % an average of the boxes' shares would say. Second 102 had
  // no sample on either box: its share is unknown (0 capacity), not 0 %.
  assertEquals((100 * fleet.cpuBusyMs[1]) / fleet.cpuCapacityMs[1], 20);
  assertEquals(mergeLoadboxSeries([]), undefined);
});

Deno.test("a load-box series refuses to span more than a week", () => {
  const s = new LoadboxSeries();
  s.add(1_700_000_000, { cpuBusyMs: 1, cpuCapacityMs: 2, loopLagMaxMs: 0 });
  let message = "";
  try {
    s.add(1_700_000_000 + 8 * 86_400, { cpuBusyMs: 1, cpuCapacityMs: 2, loopLagMaxMs: 0 });
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("disagree by more than a week"), message);
});
