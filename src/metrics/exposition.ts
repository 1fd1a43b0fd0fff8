/**
 * The Prometheus text exposition format (version 0.0.4), written from plain families: a family
 * is a name, a type, a help text and its samples at scrape time. Histograms are written from a
 * mergeable sketch, so their buckets, sum and count come from the same samples as the summary's
 * percentiles.
 * @module
 */
import { Sketch, type SketchWire } from "../math/sketch.ts";

export type Labels = Readonly<Record<string, string>>;

/** A counter's or gauge's samples: each label set with its value. */
export type Samples = readonly (readonly [Labels, number])[];

/** A histogram's samples: each label set with its sketch. */
export type SketchSamples = readonly (readonly [Labels, SketchWire])[];

/** A counter or gauge family: its samples, each with its labels. */
export interface ScalarFamily {
  name: string;
  type: "counter" | "gauge";
  help: string;
  samples: Samples;
}

/** A histogram family: one sketch per label set, bucketed at `buckets` (upper bounds). */
export interface HistogramFamily {
  name: string;
  type: "histogram";
  help: string;
  buckets: readonly number[];
  /** Sketch values are multiplied by `scale` first (ms → seconds: 0.001). */
  scale: number;
  samples: SketchSamples;
}

export type Family = ScalarFamily | HistogramFamily;

/**
 * The family constructors of one module, every name starting with its `prefix`
 * (`hlsswarm_viewer_` …): one shape for every metrics module, so a family reads the same
 * wherever it is declared.
 */
export interface FamilyMaker {
  counter(name: string, help: string, samples: Samples): ScalarFamily;
  gauge(name: string, help: string, samples: Samples): ScalarFamily;
  /** A counter or a gauge, for tables that say which. */
  scalar(name: string, type: ScalarFamily["type"], help: string, samples: Samples): ScalarFamily;
  /** `scale` multiplies the sketch's values first (ms → seconds: 0.001). */
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    scale: number,
    samples: SketchSamples,
  ): HistogramFamily;
}

/**
 * The constructors for families named `prefix` + name.
 *
 * @example
 * ```ts
 * const { counter, gauge } = familyMaker("hlsswarm_demo_");
 * exposition([counter("runs_total", "Runs.", one(3)), gauge("up", "Up.", [[{ shard: "0" }, 1]])]);
 * // "# HELP hlsswarm_demo_runs_total Runs.\n# TYPE hlsswarm_demo_runs_total counter\n" +
 * // "hlsswarm_demo_runs_total 3\n# HELP hlsswarm_demo_up Up.\n# TYPE hlsswarm_demo_up gauge\n" +
 * // "hlsswarm_demo_up{shard=\"0\"} 1\n"
 * ```
 */
export function familyMaker(prefix: string): FamilyMaker {
  const scalar = (
    name: string,
    type: ScalarFamily["type"],
    help: string,
    samples: Samples,
  ): ScalarFamily => ({ name: prefix + name, type, help, samples });
  return {
    counter: (name, help, samples) => scalar(name, "counter", help, samples),
    gauge: (name, help, samples) => scalar(name, "gauge", help, samples),
    scalar,
    histogram: (name, help, buckets, scale, samples) => ({
      name: prefix + name,
      type: "histogram",
      help,
      buckets,
      scale,
      samples,
    }),
  };
}

/**
 * One sample without labels: the value of a family that has no dimensions.
 *
 * @example
 * ```ts
 * one(5); // [[{}, 5]]
 * ```
 */
export function one(value: number): Samples {
  return [[{}, value]];
}

/** The content type of the text format. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Writes families as Prometheus text; `common` labels go on every sample.
 *
 * @example
 * ```ts
 * exposition([{ name: "up", type: "gauge", help: "Up.", samples: [[{}, 1]] }], { run_id: "r1" });
 * // "# HELP up Up.\n# TYPE up gauge\nup{run_id=\"r1\"} 1\n"
 * ```
 */
export function exposition(families: readonly Family[], common: Labels = {}): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === "histogram") {
      for (const [labels, wire] of f.samples) {
        writeHistogram(out, f, { ...common, ...labels }, wire);
      }
    } else {
      for (const [labels, v] of f.samples) {
        out.push(`${f.name}${labelText({ ...common, ...labels })} ${num(v)}`);
      }
    }
  }
  return out.join("\n") + "\n";
}

function writeHistogram(out: string[], f: HistogramFamily, labels: Labels, wire: SketchWire): void {
  const sketch = Sketch.fromWire(wire);
  for (const le of f.buckets) {
    const n = sketch.countAtMost(le / f.scale);
    out.push(`${f.name}_bucket${labelText({ ...labels, le: num(le) })} ${n}`);
  }
  out.push(`${f.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${sketch.count}`);
  out.push(`${f.name}_sum${labelText(labels)} ${num(sketch.sum * f.scale)}`);
  out.push(`${f.name}_count${labelText(labels)} ${sketch.count}`);
}

/**
 * Bucket bounds spaced evenly on a log scale, `perDecade` per factor of ten, from `from` to at
 * least `to`, rounded to three significant digits.
 *
 * @example
 * ```ts
 * logBuckets(0.001, 0.01, 2); // [0.001, 0.00316, 0.01]
 * ```
 */
export function logBuckets(from: number, to: number, perDecade: number): number[] {
  const out: number[] = [];
  for (let i = 0;; i++) {
    const v = Number((from * Math.pow(10, i / perDecade)).toPrecision(3));
    out.push(v);
    if (v >= to) return out;
  }
}

/**
 * The latency histograms' bounds (TTFB, connect, download), in seconds: 20 buckets per decade
 * (each 12 % wider than the last), 0.1 ms to 60 s. One table, so the CDN's, the groups' and the
 * swarm's TTFB buckets line up in Grafana.
 */
export const LATENCY_BUCKETS: readonly number[] = logBuckets(0.0001, 60, 20);

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
