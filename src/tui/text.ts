/**
 * Text helpers for the dashboard: visible width and fitting of strings that carry ANSI colour
 * codes, bars, sparklines and the short number formats a narrow panel needs.
 * @module
 */

/** Matches CSI sequences (colours, cursor moves): they take no room on screen. */
// deno-lint-ignore no-control-regex -- ESC is exactly what this matches
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Number of terminal cells `text` takes: ANSI sequences count 0, every code point counts 1. The
 * dashboard only draws width-1 glyphs itself; a stream URL with wide characters may be off by a
 * few cells, which fitting then absorbs.
 *
 * @example
 * ```ts
 * visibleWidth("\x1b[32mok\x1b[39m"); // 2
 * ```
 */
export function visibleWidth(text: string): number {
  let n = 0;
  const plain = text.includes("\x1b") ? text.replace(ANSI, "") : text;
  for (const _ of plain) n++;
  return n;
}

/**
 * `text` cut to at most `width` cells (ANSI sequences kept, so colours stay balanced: a reset is
 * appended when a coloured string is cut) and, with `pad`, filled with spaces to exactly `width`.
 *
 * @example
 * ```ts
 * fit("abcdef", 4); // "abc…"
 * fit("ab", 4, true); // "ab  "
 * ```
 */
export function fit(text: string, width: number, pad = false): string {
  if (width <= 0) return "";
  const w = visibleWidth(text);
  if (w <= width) return pad ? text + " ".repeat(width - w) : text;
  let out = "";
  let cells = 0;
  let colored = false;
  // Walk the string, copying escape sequences whole and counting only printable code points.
  for (let i = 0; i < text.length;) {
    if (text[i] === "\x1b") {
      ANSI.lastIndex = i;
      const m = ANSI.exec(text);
      if (m && m.index === i) {
        out += m[0];
        colored = true;
        i += m[0].length;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cells === width - 1) {
      out += "…";
      cells++;
      break;
    }
    out += ch;
    cells++;
    i += ch.length;
  }
  ANSI.lastIndex = 0;
  return colored ? out + "\x1b[0m" : out;
}

/**
 * Places `left` and `right` on one line of `width` cells, the right part flush right; the left
 * part is cut when both do not fit.
 *
 * @example
 * ```ts
 * spread("title", "ok", 12); // "title     ok"
 * ```
 */
export function spread(left: string, right: string, width: number): string {
  const rw = visibleWidth(right);
  if (rw >= width) return fit(right, width);
  const lw = Math.min(visibleWidth(left), width - rw - 1);
  return fit(left, lw, true) + " ".repeat(width - lw - rw) + right;
}

const BLOCKS = "▁▂▃▄▅▆▇█";

/**
 * A sparkline of `values` in `width` cells. The series is cut into `width` buckets from the
 * newest value backwards, each bucket `perCell` values wide and drawn as its mean, scaled to the
 * largest bucket. Cells without data stay blank, so a young series never shows a fake history.
 *
 * @example
 * ```ts
 * sparkline([0, 1, 2, 4], 4, 1); // "▁▃▅█"
 * ```
 */
export function sparkline(values: readonly number[], width: number, perCell: number): string {
  if (width <= 0) return "";
  const cells: (number | null)[] = new Array(width).fill(null);
  let max = 0;
  for (let c = width - 1, end = values.length; c >= 0 && end > 0; c--, end -= perCell) {
    const start = Math.max(0, end - perCell);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    const mean = sum / (end - start);
    cells[c] = mean;
    if (mean > max) max = mean;
  }
  let out = "";
  for (const v of cells) {
    if (v === null) out += " ";
    else {
      const i = max > 0 ? Math.round((v / max) * (BLOCKS.length - 1)) : 0;
      out += BLOCKS[Math.max(0, Math.min(BLOCKS.length - 1, i))];
    }
  }
  return out;
}

/**
 * A sparkline `height` rows tall (top row first): each cell's bucket mean is scaled to the
 * largest bucket and drawn as a column of eighth blocks, so two rows resolve 16 levels. A
 * measured 0 still shows `▁` on the bottom row; cells without data stay blank in every row, as
 * in {@linkcode sparkline}.
 *
 * @example
 * ```ts
 * sparkRows([0, 1, 2, 4], 4, 1, 2); // ["   █", "▁▄██"]
 * ```
 */
export function sparkRows(
  values: readonly number[],
  width: number,
  perCell: number,
  height: number,
): string[] {
  if (height <= 1) return [sparkline(values, width, perCell)];
  if (width <= 0) return new Array(height).fill("");
  const cells: (number | null)[] = new Array(width).fill(null);
  let max = 0;
  for (let c = width - 1, end = values.length; c >= 0 && end > 0; c--, end -= perCell) {
    const start = Math.max(0, end - perCell);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    cells[c] = sum / (end - start);
    if (cells[c]! > max) max = cells[c]!;
  }
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let out = "";
    for (const v of cells) {
      if (v === null) {
        out += " ";
        continue;
      }
      // Eighths of the whole column this cell fills, at least one (a measured value).
      const eighths = Math.max(1, max > 0 ? Math.round((v / max) * height * 8) : 1);
      const here = Math.max(0, Math.min(8, eighths - r * 8));
      out += here === 0 ? " " : BLOCKS[here - 1];
    }
    rows.push(out);
  }
  return rows;
}

/**
 * A progress bar of `width` cells for a share between 0 and 1.
 *
 * @example
 * ```ts
 * bar(0.5, 4); // "██░░"
 * ```
 */
export function bar(share: number, width: number): string {
  if (width <= 0) return "";
  const clamped = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const full = Math.round(clamped * width);
  return "█".repeat(full) + "░".repeat(width - full);
}
