import { assert, assertEquals } from "../testing/assert.ts";
import { Sketch } from "../math/sketch.ts";
import { MAX_TTFB_INTERVALS, mergeTtfbSeries, ttfbPercentiles, TtfbSeries } from "./ttfb_series.ts";

const T0 = 1_733_061_720; // an epoch second, a multiple of 60
const rnd = (seed: number) => () => (seed = (seed * 16807) % 2147483647) / 2147483647;

Deno.test("bins sit on the wall clock: shards starting on other seconds add bin by bin", () => {
  const a = new TtfbSeries(), b = new TtfbSeries();
  const union = [new Sketch(), new Sketch(), new Sketch()];
  const feed = (s: TtfbSeries, second: number, values: number[]) => {
    for (const v of values) {
      s.add("segment", v);
      union[Math.floor((second - T0) / 10)].add(v);
    }
    s.close(second);
  };
  feed(a, T0 + 16, [12, 30, 7]); // bin T0 + 10
  feed(a, T0 + 19, [900]);
  feed(b, T0 + 13, [40, 41]); // bin T0 + 10 too
  feed(b, T0 + 29, [5]); // bin T0 + 20
  feed(b, T0 + 2, [60]); // a later close of an earlier second: bin T0, before a's start
  const fleet = mergeTtfbSeries([a.toWire(), b.toWire()])!;
  assertEquals([fleet.intervalSeconds, fleet.start, fleet.segment.length], [10, T0, 3]);
  assertEquals(fleet.segment.map((w) => w.count), [1, 6, 1]);
  assertEquals(fleet.manifest.map((w) => w.count), [0, 0, 0]);
  fleet.segment.forEach((w, i) => {
    const merged = Sketch.fromWire(w), direct = union[i];
    for (const q of [0.5, 0.95, 0.99]) assertEquals(merged.quantile(q), direct.quantile(q));
  });
  const p = ttfbPercentiles(fleet);
  assertEquals(p.segment[1].count, 6);
  assertEquals(p.manifest[0], { p50: null, p95: null, p99: null, count: 0 });
  assertEquals(mergeTtfbSeries([undefined]), undefined);
});

Deno.test("samples not yet closed count in the bin of the snapshot's second", () => {
  const s = new TtfbSeries();
  s.add("manifest", 5);
  s.close(T0 + 1);
  s.add("manifest", 8);
  const w = s.toWire(T0 + 12);
  assertEquals(w.manifest.map((x) => x.count), [1, 1]);
  assertEquals(s.toWire().manifest.map((x) => x.count), [1, 0], "nothing closed in bin 2 yet");
  assertEquals(new TtfbSeries().toWire(T0 + 15).start, T0 + 10, "empty: starts at now's bin");
  // A wire is frozen: a reader cannot change the series' cached bins.
  assert(Object.isFrozen(w.manifest[0]) && Object.isFrozen(w.manifest[0].bins));
});

Deno.test("a long run moves up the ladder of intervals; the coarse bins hold exactly the fine ones' samples", () => {
  const r = rnd(7);
  const s = new TtfbSeries();
  const seconds = 3 * 3600; // 1080 bins of 10 s: too many, 180 of 60 s
  const perMinute: Sketch[] = [];
  let total = 0;
  for (let t = 0; t < seconds; t++) {
    const v = Math.exp(r() * 8 - 2);
    s.add("segment", v);
    (perMinute[Math.floor(t / 60)] ??= new Sketch()).add(v);
    total++;
    s.close(T0 + t);
    if (t === 2 * 3600 - 1) assertEquals(s.intervalSeconds, 10, "2 h fit in 720 bins of 10 s");
  }
  const w = s.toWire();
  assertEquals([w.intervalSeconds, w.start, w.segment.length], [60, T0, 180]);
  assertEquals(w.segment.reduce((n, x) => n + x.count, 0), total);
  w.segment.forEach((x, i) => {
    const { sum: _a, ...bins } = x;
    const { sum: _b, ...direct } = perMinute[i].toWire();
    assertEquals(bins, direct, `minute ${i}`);
  });
  // A 10 s series merged with it is re-binned at 60 s: still exact.
  const fine = new TtfbSeries();
  fine.add("segment", 3);
  fine.close(T0 + 125); // minute 2
  const merged = mergeTtfbSeries([fine.toWire(), w])!;
  assertEquals([merged.intervalSeconds, merged.segment[2].count], [60, 61]);
  assert(merged.segment.length <= MAX_TTFB_INTERVALS);
});

Deno.test("parts whose clocks are weeks apart are refused, not given millions of bins", () => {
  const a = new TtfbSeries(), b = new TtfbSeries();
  a.add("segment", 1);
  a.close(T0);
  b.add("segment", 1);
  b.close(T0 + 20 * 86_400);
  let message = "";
  try {
    mergeTtfbSeries([a.toWire(), b.toWire()]);
  } catch (e) {
    message = (e as Error).message;
  }
  assert(/cannot span .* disagree by more than a week/.test(message), message);
});
