/**
 * The report's plots as SVG written by hand: line plots over time (with shaded spans and a
 * dashed reference) and histograms. Why not a charting library (uPlot, Chart.js): the report
 * must open with no network fetch, so a library would have to be inlined into every file (uPlot
 * is ~50 kB minified, more than a short run's whole report) and pinned, audited and bundled at
 * build time; it would also need JavaScript to draw, so a `--dump-dom` or a mail client that
 * strips scripts would see empty boxes. A static SVG is drawn by any browser, prints, and
 * its points are in the DOM where a test can count them. What it gives up (zoom, hover
 * read-outs) the tables below the plots make up for.
 * @module
 */
import type { Bar, PlotLine, Shade, TimePlot } from "./data.ts";
import { clock, esc, tick } from "./text.ts";

/** Plot size in SVG units (the page scales it to its width). */
const W = 900, H = 230;
const LEFT = 56, RIGHT = 12, TOP = 14, BOTTOM = 50;
const PW = W - LEFT - RIGHT, PH = H - TOP - BOTTOM;

/** Time-axis tick spacings, in seconds. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Line colors, in line order: distinguishable in colour-blind palettes (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9"];

/**
 * A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`.
 *
 * @example
 * ```ts
 * niceMax(7.3); // 10
 * niceMax(0); // 1
 * ```
 */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const f1 = (v: number) => String(Math.round(v * 10) / 10);

/** How many grid steps divide a {@linkcode niceMax} bound into round values (1 → 0.2 steps,
 * 2 → 0.5, 5 → 1). */
function gridSteps(max: number): number {
  const lead = Math.round(max / Math.pow(10, Math.floor(Math.log10(max))));
  return lead === 2 ? 4 : 5;
}

/** The horizontal grid lines and their labels of a plot whose y axis runs 0 to `yMax`. */
function yGrid(yMax: number, y: (v: number) => number): string[] {
  const parts: string[] = [];
  const steps = gridSteps(yMax);
  for (let t = 0; t <= steps; t++) {
    const v = (yMax * t) / steps;
    parts.push(
      `<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${f1(y(v))}" y2="${f1(y(v))}"/>`,
      `<text class="ax" x="${LEFT - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${tick(v)}</text>`,
    );
  }
  return parts;
}

/**
 * A time plot: one `<polyline data-line="NAME">` per line (its points in the `points`
 * attribute; a line with gaps has one per run of values, and a lone value is also a dot),
 * saturation `shades` as translucent bands, the reference dashed, a time axis in run time (from
 * `runStart`, epoch seconds) over `p.domain` (else the lines' span) and a legend.
 *
 * @example
 * ```ts
 * const svg = timePlotSvg({
 *   id: "x", title: "X", unit: "/s", caption: "", start: 100, step: 1, reference: null,
 *   lines: [{ name: "a", values: [1, 2, 3] }],
 * }, [], 100);
 * svg.includes('data-line="a"'); // true
 * ```
 */
export function timePlotSvg(p: TimePlot, shades: readonly Shade[], runStart: number): string {
  const n = Math.max(...p.lines.map((l) => l.values.length), 0);
  const from = p.domain?.from ?? p.start;
  const spanS = Math.max(1, (p.domain?.to ?? p.start + (n - 1) * p.step) - from);
  let top = p.reference?.value ?? 0;
  for (const l of p.lines) for (const v of l.values) if (v !== null && v > top) top = v;
  const yMax = niceMax(top);
  const xAt = (epoch: number) => LEFT + (PW * (epoch - from)) / spanS;
  // A point outside the axis (an interval's middle past the run's last second) sits on its edge.
  const x = (l: PlotLine, j: number) =>
    Math.min(W - RIGHT, Math.max(LEFT, xAt((l.start ?? p.start) + j * p.step)));
  const y = (v: number) => TOP + PH - (PH * v) / yMax;
  const parts = yGrid(yMax, y);
  // Time ticks at round run times (from runStart), at most seven of them.
  const every = TIME_STEPS.find((t) => spanS / t <= 7) ?? 3600 * Math.ceil(spanS / 7 / 3600);
  const first = Math.ceil((from - runStart) / every) * every;
  for (let rel = first; rel <= from - runStart + spanS; rel += every) {
    parts.push(
      `<text class="ax" x="${f1(xAt(runStart + rel))}" y="${TOP + PH + 16}" ` +
        `text-anchor="middle">${clock(rel)}</text>`,
    );
  }
  for (const sh of shades) {
    const x0 = Math.max(LEFT, xAt(sh.from)), x1 = Math.min(W - RIGHT, xAt(sh.to));
    if (x1 <= x0) continue;
    parts.push(
      `<rect class="sat" data-shade="${esc(sh.label)}" x="${f1(x0)}" y="${TOP}" ` +
        `width="${f1(Math.max(1, x1 - x0))}" height="${PH}"><title>load box saturated: ` +
        `${esc(sh.label)}</title></rect>`,
    );
  }
  if (p.reference) {
    const ry = f1(y(p.reference.value));
    parts.push(
      `<line class="ref" x1="${LEFT}" x2="${W - RIGHT}" y1="${ry}" y2="${ry}"/>`,
      `<text class="ax" x="${W - RIGHT - 2}" y="${f1(y(p.reference.value) - 4)}" ` +
        `text-anchor="end">${esc(p.reference.label)} ${tick(p.reference.value)}</text>`,
    );
  }
  p.lines.forEach((l, i) => {
    // A gap (null) breaks the line: one polyline per run of values, a dot for a lone value.
    const color = PALETTE[i % PALETTE.length];
    let run: string[] = [];
    const flush = () => {
      if (run.length === 1) {
        const [cx, cy] = run[0].split(",");
        parts.push(
          `<circle data-dot="${esc(l.name)}" cx="${cx}" cy="${cy}" r="2" fill="${color}"/>`,
        );
      }
      if (run.length) {
        parts.push(
          `<polyline data-line="${esc(l.name)}" fill="none" stroke="${color}" ` +
            `stroke-width="1.6" points="${run.join(" ")}"/>`,
        );
      }
      run = [];
    };
    l.values.forEach((v, j) => {
      if (v === null) flush();
      else run.push(`${f1(x(l, j))},${f1(y(v))}`);
    });
    flush();
  });
  let lx = LEFT;
  p.lines.forEach((l, i) => {
    parts.push(
      `<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${
        PALETTE[i % PALETTE.length]
      }"/>`,
      `<text class="lg" x="${lx + 14}" y="${H - 5}">${esc(l.name)}</text>`,
    );
    lx += 24 + l.name.length * 7;
  });
  if (shades.length) {
    parts.push(
      `<rect class="sat" x="${lx}" y="${H - 14}" width="10" height="10"/>`,
      `<text class="lg" x="${lx + 14}" y="${H - 5}">load box saturated</text>`,
    );
  }
  return svg(p.id, "series", `${p.title} (${p.unit})`, parts);
}

/**
 * A histogram: one `<rect data-count="N">` per bar, on a logarithmic value axis (the sketch's
 * bins are logarithmic), labelled at the bars' edges.
 *
 * @example
 * ```ts
 * histogramSvg("h", "TTFB", [{ lo: 1, hi: 2, count: 3 }]).includes('data-count="3"'); // true
 * ```
 */
export function histogramSvg(id: string, title: string, bars: readonly Bar[]): string {
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b.count)));
  const bw = PW / Math.max(1, bars.length);
  const y = (v: number) => TOP + PH - (PH * v) / yMax;
  const parts = yGrid(yMax, y);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 6));
  bars.forEach((b, i) => {
    const x0 = LEFT + i * bw;
    const range = b.hi === 0 ? "0 ms" : `${tick(b.lo)}–${tick(b.hi)} ms`;
    parts.push(
      `<rect class="bar" data-count="${b.count}" x="${f1(x0 + 1)}" y="${f1(y(b.count))}" ` +
        `width="${f1(Math.max(1, bw - 2))}" height="${f1(TOP + PH - y(b.count))}">` +
        `<title>${range}: ${b.count}</title></rect>`,
    );
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="ax" x="${f1(x0)}" y="${TOP + PH + 16}" text-anchor="middle">${
          b.hi === 0 ? "0" : tick(b.lo)
        }</text>`,
      );
    }
  });
  const last = bars.at(-1);
  if (last && last.hi > 0) {
    parts.push(
      `<text class="ax" x="${W - RIGHT}" y="${TOP + PH + 16}" text-anchor="end">${
        tick(last.hi)
      }</text>`,
    );
  }
  parts.push(
    `<text class="lg" x="${LEFT}" y="${H - 5}">samples per bar (log-spaced ms)</text>`,
  );
  return svg(id, "histogram", title, parts);
}

function svg(id: string, kind: string, label: string, parts: string[]): string {
  return `<svg data-plot="${esc(id)}" data-kind="${kind}" viewBox="0 0 ${W} ${H}" ` +
    `role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">` +
    parts.join("") + `</svg>`;
}
