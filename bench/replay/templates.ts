/**
 * The script's text: bytes escaped (`\\ \n \r \t \xHH`), and the numbers a replayed client must
 * advance or recompute turned into `\{…}` templates (see README.md, "The script format"): frame,
 * fps, media time, speed and elapsed in status lines and progress blocks; segment and media
 * sequence numbers in the loop body.
 * @module
 */
import type { Block } from "./progress.ts";

/** How much one loop pass advances the numbers; `k` false outside the loop (step 0). */
export interface LoopSteps {
  /** whether the steps apply (body) or not (intro and tail: step 0) */
  k: boolean;
  frame: number;
  mediaUs: number;
  seg: number;
}

/** The tail's final status line, as deltas from the last status line before it. */
export interface TailDeltas {
  frameDelta: number;
  outDelta: number;
}

/**
 * Escapes bytes for the script; `{`-templates are inserted by the callers afterwards.
 *
 * @example
 * ```ts
 * esc("a\\b\r\n\x1b"); // "a\\\\b\\r\\n\\x1b"
 * ```
 */
export function esc(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += s[i];
  }
  return out;
}

/** Replaces every match with a template made from its groups (applied to already-escaped text). */
function templ(s: string, re: RegExp, f: (m: RegExpExecArray) => string): string {
  return s.replace(re, (...args) => {
    const m = args.slice(0, -2) as unknown as RegExpExecArray;
    return f(m);
  });
}

/**
 * Status line on stderr: frame, fps, time, speed (and FFmpeg 7.1+'s elapsed).
 *
 * @example
 * ```ts
 * const steps = { k: true, frame: 660, mediaUs: 22000000, seg: 11 };
 * templStatus("frame=   60 fps= 30 time=00:00:02.00 speed=   1x\\r", null, steps, null);
 * // "frame=\\{i,60,660,5,F} fps=\\{fps,s} time=\\{t,2000000,22000000,2,O} speed=\\{speed}\\r"
 * ```
 */
export function templStatus(
  t: string,
  b: Block | null,
  st: LoopSteps,
  tail: TailDeltas | null,
): string {
  const fs = st.k ? st.frame : 0, os = st.k ? st.mediaUs : 0;
  t = templ(
    t,
    /frame=\s*(\d+)/,
    (m) => tail ? `frame=\\{r,F,${tail.frameDelta},5}` : `frame=\\{i,${m[1]},${fs},5,F}`,
  );
  t = templ(t, /fps=\s*([\d.]+)/, () => `fps=\\{fps,s}`);
  t = templ(t, /time=(-?\d+):(\d\d):(\d\d)\.(\d\d)/, (m) => {
    const cs = ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 100 + +m[4];
    const us = b?.outUs ?? cs * 10000;
    return tail ? `time=\\{rt,O,${tail.outDelta},2}` : `time=\\{t,${us},${os},2,O}`;
  });
  t = templ(t, /speed=\s*(?:[\d.e+]+x|N\/A)/, () => `speed=\\{speed}`);
  t = templ(t, /elapsed=\d+:\d\d:\d\d\.\d\d/, () => `elapsed=\\{el}`);
  return t;
}

/** A progress block (escaped): frame, fps, the out_time fields and speed. */
export function templProgress(t: string, st: LoopSteps, tail: boolean): string {
  const fs = st.k ? st.frame : 0, os = st.k ? st.mediaUs : 0;
  t = templ(
    t,
    /(^|\\n)frame=(\d+)/,
    (m) => `${m[1]}frame=` + (tail ? `\\{r,F,0,}` : `\\{i,${m[2]},${fs},,F}`),
  );
  t = templ(t, /(^|\\n)fps=([\d.]+)/, (m) => `${m[1]}fps=\\{fps,p}`);
  t = templ(
    t,
    /(^|\\n)out_time_us=(-?\d+)/,
    (m) => `${m[1]}out_time_us=` + (tail ? `\\{r,O,0,}` : `\\{i,${m[2]},${os},,O}`),
  );
  t = templ(
    t,
    /(^|\\n)out_time_ms=(-?\d+)/,
    (m) => `${m[1]}out_time_ms=` + (tail ? `\\{r,O,0,}` : `\\{i,${m[2]},${os},}`),
  );
  t = templ(t, /(^|\\n)out_time=(-?\d+:\d\d:\d\d\.\d{6})/, (m) => {
    return `${m[1]}out_time=` + (tail ? `\\{rt,O,0,6}` : `\\{t,${parseOutTime(m[2])},${os},6}`);
  });
  t = templ(t, /(^|\\n)speed=\s*(?:[\d.e+]+x|N\/A)/, (m) => `${m[1]}speed=\\{speed}`);
  return t;
}

/** `-HH:MM:SS.uuuuuu` to µs. */
function parseOutTime(s: string): number {
  const m = /(-?)(\d+):(\d\d):(\d\d)\.(\d{6})/.exec(s)!;
  const v = ((+m[2] * 60 + +m[3]) * 60 + +m[4]) * 1e6 + +m[5];
  return m[1] ? -v : v;
}

/** A media sequence change: both sequence numbers and both first timestamps. */
export const SEQUENCE_CHANGE_RE =
  /Media sequence change \((\d+) -> (\d+)\) reflected in first_timestamp: (-?\d+) -> (-?\d+)/;

/** Segment and media-sequence numbers in a body message. */
export function templBody(t: string, st: LoopSteps): string {
  t = templ(t, /(\d+)(?=\.(?:ts|m4s|aac|ac3|ec3|mp3|m4a|m4v|cmfv|cmfa|vtt|webvtt)\b)/g, (m) => {
    const w = m[1].startsWith("0") && m[1].length > 1 ? "0" + m[1].length : "";
    return `\\{i,${+m[1]},${st.seg},${w}}`;
  });
  t = templ(
    t,
    SEQUENCE_CHANGE_RE,
    (m) =>
      `Media sequence change (\\{i,${m[1]},${st.seg},} -> \\{i,${
        m[2]
      },${st.seg},}) reflected in first_timestamp: ` +
      `\\{i,${m[3]},${st.mediaUs},} -> \\{i,${m[4]},${st.mediaUs},}`,
  );
  return t;
}
