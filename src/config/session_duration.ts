/**
 * `--session-duration DIST`: how long a viewer watches before it leaves. Each duration is drawn
 * from a PRNG seeded by the run's seed, the viewer slot (client id) and the session number, so a
 * run with the same seed gives every session the same length, whatever order they start in.
 *
 * What each distribution models:
 * - `fixed:60s`: every session the same length; a test of churn at a known rate (N viewers leave
 *   and are replaced every 60 s), not of an audience.
 * - `uniform:30s-90s`: lengths spread evenly between two bounds; a churn test without the lock
 *   step of `fixed`.
 * - `exp:60s` (the mean): memoryless leaving; at any moment each viewer is as likely to leave as
 *   any other, whatever it has watched. The classic model of channel surfing and of a steady
 *   audience turning over. Many very short sessions (a third are under 0.4 × the mean).
 * - `lognormal:45s,0.8` (the median and sigma, the standard deviation of ln length) or
 *   `lognormal:mean=60s,sd=40s` (the mean and standard deviation of the length): most sessions
 *   near a typical length with a long tail of long ones, the shape measured for video viewing
 *   times. sigma² = ln(1 + sd²/mean²), median = mean / sqrt(1 + sd²/mean²).
 * @module
 */
import { parseDuration } from "./duration.ts";
import { clientRandom } from "../math/random.ts";

/** A distribution of session lengths, in ms. */
export type SessionDist =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; minMs: number; maxMs: number }
  | { kind: "exp"; meanMs: number }
  | { kind: "lognormal"; medianMs: number; sigma: number };

/**
 * Parses a `--session-duration` value, or returns a message saying what is expected.
 *
 * @example
 * ```ts
 * parseSessionDist("exp:60s"); // { ok: true, dist: { kind: "exp", meanMs: 60000 } }
 * parseSessionDist("uniform:30s-90s"); // { ok: true, dist: { kind: "uniform", minMs: 30000, maxMs: 90000 } }
 * parseSessionDist("lognormal:mean=60s,sd=0s").ok; // true: sigma 0, every session 60 s
 * ```
 */
export function parseSessionDist(
  text: string,
): { ok: true; dist: SessionDist } | { ok: false; error: string } {
  const [kind, ...rest] = text.trim().split(":");
  const arg = rest.join(":");
  const ms = (t: string): number | string => {
    const d = parseDuration(t);
    if (!d.ok) return d.error;
    return d.ms > 0 ? d.ms : `"${t}" must be longer than 0`;
  };
  const fail = (why: string) => ({ ok: false as const, error: `"${text}": ${why}` });
  switch (kind) {
    case "fixed": {
      const v = ms(arg);
      return typeof v === "string" ? fail(v) : { ok: true, dist: { kind, ms: v } };
    }
    case "uniform": {
      const [a, b, extra] = arg.split("-");
      if (b === undefined || extra !== undefined) {
        return fail("expected uniform:MIN-MAX, e.g. 30s-90s");
      }
      const lo = ms(a), hi = ms(b);
      if (typeof lo === "string") return fail(lo);
      if (typeof hi === "string") return fail(hi);
      if (hi < lo) return fail("the maximum is below the minimum");
      return { ok: true, dist: { kind, minMs: lo, maxMs: hi } };
    }
    case "exp": {
      const v = ms(arg);
      return typeof v === "string" ? fail(v) : { ok: true, dist: { kind, meanMs: v } };
    }
    case "lognormal":
      return lognormal(arg, fail, ms);
    default:
      return fail(
        "expected fixed:60s, uniform:30s-90s, exp:60s (mean), lognormal:45s,0.8 (median, sigma) " +
          "or lognormal:mean=60s,sd=40s",
      );
  }
}

function lognormal(
  arg: string,
  fail: (why: string) => { ok: false; error: string },
  ms: (t: string) => number | string,
): { ok: true; dist: SessionDist } | { ok: false; error: string } {
  const named = /^mean=([^,]+),sd=([^,]+)$/.exec(arg);
  if (named) {
    const mean = ms(named[1]);
    if (typeof mean === "string") return fail(mean);
    const sd = named[2].trim() === "0" ? 0 : ms(named[2]);
    if (typeof sd === "string") return fail(sd);
    const spread = 1 + (sd * sd) / (mean * mean);
    return {
      ok: true,
      dist: {
        kind: "lognormal",
        medianMs: mean / Math.sqrt(spread),
        sigma: Math.sqrt(Math.log(spread)),
      },
    };
  }
  const plain = /^([^,=]+),([0-9.]+)$/.exec(arg);
  if (!plain) return fail("expected lognormal:MEDIAN,SIGMA (45s,0.8) or lognormal:mean=60s,sd=40s");
  const median = ms(plain[1]);
  if (typeof median === "string") return fail(median);
  const sigma = Number(plain[2]);
  if (!Number.isFinite(sigma) || sigma > 5) return fail("sigma must be a number from 0 to 5");
  return { ok: true, dist: { kind: "lognormal", medianMs: median, sigma } };
}

/**
 * The length of session `session` (from 1) of viewer slot `clientId`, in ms.
 *
 * @example
 * ```ts
 * const dist = { kind: "exp", meanMs: 60_000 } as const;
 * sessionLengthMs(dist, 3, 2, 42) === sessionLengthMs(dist, 3, 2, 42); // true
 * ```
 */
export function sessionLengthMs(
  dist: SessionDist,
  clientId: number,
  session: number,
  seed: number,
): number {
  // A stream of its own per session: the seed mixed with the session number (and a salt, so it
  // never shares a stream with the ramp's or the backoff's jitter).
  const random = clientRandom(clientId, (seed ^ Math.imul(session, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0);
  switch (dist.kind) {
    case "fixed":
      return dist.ms;
    case "uniform":
      return dist.minMs + random() * (dist.maxMs - dist.minMs);
    case "exp":
      return -dist.meanMs * Math.log(1 - random());
    case "lognormal": {
      // Box-Muller: a standard normal from two uniforms (1 - u keeps the logarithm finite).
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return dist.medianMs * Math.exp(dist.sigma * z);
    }
  }
}

/** The distribution's mean in ms. */
export function sessionMeanMs(dist: SessionDist): number {
  switch (dist.kind) {
    case "fixed":
      return dist.ms;
    case "uniform":
      return (dist.minMs + dist.maxMs) / 2;
    case "exp":
      return dist.meanMs;
    case "lognormal":
      return dist.medianMs * Math.exp((dist.sigma * dist.sigma) / 2);
  }
}

/**
 * The distribution in words, for the summary's header and logs.
 *
 * @example
 * ```ts
 * describeSessionDist({ kind: "exp", meanMs: 60_000 }); // "exponential, mean 60 s"
 * ```
 */
export function describeSessionDist(dist: SessionDist): string {
  const s = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
  switch (dist.kind) {
    case "fixed":
      return `fixed ${s(dist.ms)}`;
    case "uniform":
      return `uniform ${s(dist.minMs)} to ${s(dist.maxMs)}`;
    case "exp":
      return `exponential, mean ${s(dist.meanMs)}`;
    case "lognormal":
      return `log-normal, median ${s(dist.medianMs)}, sigma ${
        Number(dist.sigma.toFixed(3))
      } (mean ${s(sessionMeanMs(dist))})`;
  }
}

/**
 * The distribution as a `--session-duration` value again (for the run record).
 *
 * @example
 * ```ts
 * sessionDistFlag({ kind: "uniform", minMs: 30_000, maxMs: 90_000 }); // "uniform:30000ms-90000ms"
 * ```
 */
export function sessionDistFlag(dist: SessionDist): string {
  const ms = (v: number) => `${Number(v.toFixed(3))}ms`;
  switch (dist.kind) {
    case "fixed":
      return `fixed:${ms(dist.ms)}`;
    case "uniform":
      return `uniform:${ms(dist.minMs)}-${ms(dist.maxMs)}`;
    case "exp":
      return `exp:${ms(dist.meanMs)}`;
    case "lognormal":
      return `lognormal:${ms(dist.medianMs)},${dist.sigma}`;
  }
}
