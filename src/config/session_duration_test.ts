import { assertBetween, assertEquals } from "../testing/assert.ts";
import {
  parseSessionDist,
  type SessionDist,
  sessionDistFlag,
  sessionLengthMs,
  sessionMeanMs,
} from "./session_duration.ts";

const draw = (dist: SessionDist, n: number) =>
  Array.from({ length: n }, (_, i) => sessionLengthMs(dist, i % 100, 1 + Math.floor(i / 100), 7));

Deno.test("distributions parse by their usual parameters; bad ones say what is expected", () => {
  assertEquals(parseSessionDist("fixed:60s"), { ok: true, dist: { kind: "fixed", ms: 60_000 } });
  assertEquals(parseSessionDist("exp:1m"), { ok: true, dist: { kind: "exp", meanMs: 60_000 } });
  assertEquals(parseSessionDist("lognormal:45s,0.8"), {
    ok: true,
    dist: { kind: "lognormal", medianMs: 45_000, sigma: 0.8 },
  });
  const byMean = parseSessionDist("lognormal:mean=60s,sd=30s");
  if (!byMean.ok) throw new Error(byMean.error);
  assertBetween(sessionMeanMs(byMean.dist), 59_999, 60_001);
  assertEquals(parseSessionDist("uniform:90s-30s").ok, false);
  assertEquals(parseSessionDist("exp:0s").ok, false);
  assertEquals(parseSessionDist("poisson:3").ok, false);
  assertEquals(parseSessionDist("exp:60").ok, false);
  for (const text of ["fixed:60s", "uniform:30s-90s", "exp:60s", "lognormal:45s,0.8"]) {
    const d = parseSessionDist(text);
    if (!d.ok) throw new Error(d.error);
    assertEquals(parseSessionDist(sessionDistFlag(d.dist)), d);
  }
});

Deno.test("each session's length is fixed by the seed, the slot and the session number", () => {
  const dist: SessionDist = { kind: "exp", meanMs: 60_000 };
  assertEquals(sessionLengthMs(dist, 4, 2, 9), sessionLengthMs(dist, 4, 2, 9));
  const all = new Set([
    sessionLengthMs(dist, 4, 2, 9),
    sessionLengthMs(dist, 4, 3, 9),
    sessionLengthMs(dist, 5, 2, 9),
    sessionLengthMs(dist, 4, 2, 10),
  ]);
  assertEquals(all.size, 4);
});

Deno.test("samples have the distribution's mean, spread and bounds", () => {
  const n = 20_000;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const exp = draw({ kind: "exp", meanMs: 60_000 }, n);
  // Standard error of the mean: 60 s / sqrt(20000) = 0.42 s.
  assertBetween(mean(exp), 58_700, 61_300);
  // A third of exponential sessions are under 0.405 × the mean (1 - e^-0.405 = 1/3).
  assertBetween(exp.filter((x) => x < 0.405 * 60_000).length / n, 0.32, 0.345);
  const uni = draw({ kind: "uniform", minMs: 30_000, maxMs: 90_000 }, n);
  assertEquals(uni.every((x) => x >= 30_000 && x < 90_000), true);
  assertBetween(mean(uni), 59_500, 60_500);
  const logn = draw({ kind: "lognormal", medianMs: 45_000, sigma: 0.8 }, n);
  const sorted = [...logn].sort((a, b) => a - b);
  assertBetween(sorted[n / 2], 43_500, 46_500);
  assertBetween(mean(logn), 0.96 * 45_000 * Math.exp(0.32), 1.04 * 45_000 * Math.exp(0.32));
  assertEquals(draw({ kind: "fixed", ms: 5000 }, 10), new Array(10).fill(5000));
});
