/**
 * Escaping and number formats shared by the HTML report's parts. Every string from a summary
 * (target, reasons, edge names, threshold expressions) goes through {@linkcode esc}: a summary
 * read by `merge` comes from files anyone may have written.
 * @module
 */

/**
 * Escapes text for HTML and SVG, in element content and in quoted attributes.
 *
 * @example
 * ```ts
 * esc(`<a href="x">&</a>`); // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 * ```
 */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * An integer count with thousands separators, as the tables show it (the tests read it back).
 *
 * @example
 * ```ts
 * int(1234567); // "1,234,567"
 * ```
 */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * A millisecond figure with one decimal, or "n/a" when not measured.
 *
 * @example
 * ```ts
 * ms(12.34); // "12.3"
 * ms(null); // "n/a"
 * ```
 */
export function ms(v: number | null): string {
  return v === null ? "n/a" : v.toFixed(1);
}

/**
 * A share (0–1) as a percentage with two decimals, or "n/a".
 *
 * @example
 * ```ts
 * pct(0.01234); // "1.23 %"
 * ```
 */
export function pct(v: number | null): string {
  return v === null ? "n/a" : `${(v * 100).toFixed(2)} %`;
}

/**
 * A value for an axis label: short, without trailing zeros.
 *
 * @example
 * ```ts
 * tick(2500); // "2.5k"
 * tick(0.25); // "0.25"
 * ```
 */
export function tick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return String(+v.toFixed(0));
  return String(+v.toPrecision(2));
}

/**
 * Seconds as `m:ss` or `h:mm:ss`, for a time axis.
 *
 * @example
 * ```ts
 * clock(75); // "1:15"
 * clock(3725); // "1:02:05"
 * ```
 */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (x: number) => String(x).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}
