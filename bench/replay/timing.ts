/**
 * When each message of a capture falls in the script (µs from the process start). A capture
 * with FFmpeg's datetime prefixes (7.1+) keeps its own times; one without (5.1) is paced from
 * its status lines, each anchored by the progress block written right after it, with the bursts
 * between two anchors placed as make_script.ts's module doc and README.md describe.
 * @module
 */
import type { Msg } from "./messages.ts";
import { type Block, blockElapsedUs } from "./progress.ts";

/** A playlist (re)load: where FFmpeg's idle wait ends and a loop pass starts. */
export const RELOAD_RE = /^Opening '[^']*\.m3u8?(?:\?[^']*)?' for reading\n$/;

/** A capture whose timing cannot be rebuilt: bad input, so make_script.ts exits 2. */
export class CaptureError extends Error {
  override name = "CaptureError";
}

/** The timing options (µs and ms as make_script.ts's flags give them). */
export interface TimingOptions {
  firstLineMs: number;
  startupMs: number;
  lineUs: number;
}

/** The script time of the transcode timer's start, and how the times were found. */
export interface Timing {
  timerStartUs: number;
  mode: "datetime" | "paced";
}

/**
 * Pairs status line k with progress block k, and sets every message's `t` (µs): the captured
 * times of a datetime capture, else paced from the status-line anchors.
 */
export function assignTimes(msgs: Msg[], blocks: Block[], o: TimingOptions): Timing {
  const statusIdx = msgs.map((m, i) => (m.status ? i : -1)).filter((i) => i >= 0);
  // pair status line k with progress block k
  for (let k = 0; k < Math.min(statusIdx.length, blocks.length); k++) {
    msgs[statusIdx[k]].progress = blocks[k];
  }
  if (msgs.length && msgs[0].dtMs !== null) return datetimeTimes(msgs, blocks, statusIdx, o);
  return pacedTimes(msgs, statusIdx, o);
}

/** A datetime capture: the captured times (ms), relative to the first line. */
function datetimeTimes(
  msgs: Msg[],
  blocks: Block[],
  statusIdx: number[],
  o: TimingOptions,
): Timing {
  const first = o.firstLineMs * 1000;
  const t0 = msgs[0].dtMs!;
  let last = first;
  for (const m of msgs) {
    if (m.dtMs !== null) last = first + (m.dtMs - t0) * 1000;
    m.t = last;
  }
  // timer start: from a status line whose block gives the elapsed time precisely
  let timerStartUs = statusIdx.length ? msgs[statusIdx[0]].t : first;
  for (const i of statusIdx) {
    const b = msgs[i].progress;
    const el = b ? blockElapsedUs(b, false) : null;
    if (el !== null && el > 1e6) {
      timerStartUs = msgs[i].t - el;
      break;
    }
  }
  // progress blocks without a status line (-nostats captures): at timer start + elapsed
  const paired = new Set(statusIdx.slice(0, blocks.length).map((i) => msgs[i].progress));
  for (let k = 0; k < blocks.length; k++) {
    const b = blocks[k];
    if (paired.has(b)) continue;
    const el = blockElapsedUs(b, k === 0) ?? 0;
    const t = timerStartUs + el;
    let j = msgs.length - 1;
    while (j > 0 && msgs[j].t > t) j--;
    if (!msgs[j].progress) msgs[j].progress = b;
  }
  return { timerStartUs, mode: "datetime" };
}

/** A capture without times: anchors at the status lines, bursts around them. */
function pacedTimes(msgs: Msg[], statusIdx: number[], o: TimingOptions): Timing {
  const first = o.firstLineMs * 1000;
  const dt = o.lineUs;
  if (!statusIdx.length) {
    throw new CaptureError(
      "no status lines in this capture (recorded with -nostats?) and no datetime prefixes: " +
        "cannot reconstruct pacing",
    );
  }
  const anchorT: number[] = [];
  const timerStartUs = first + o.startupMs * 1000;
  for (let k = 0; k < statusIdx.length; k++) {
    const b = msgs[statusIdx[k]].progress;
    const el = b ? blockElapsedUs(b, k === 0) : null;
    let t = el === null ? NaN : timerStartUs + el;
    if (Number.isNaN(t)) {
      // no usable block: parse time=/speed= of the status line itself
      const tm = /time=(\d+):(\d\d):(\d\d)\.(\d\d)/.exec(msgs[statusIdx[k]].text);
      const sp = /speed=\s*([\d.]+)x/.exec(msgs[statusIdx[k]].text);
      if (tm && sp && +sp[1] > 0) {
        const media = ((+tm[1] * 60 + +tm[2]) * 60 + +tm[3]) * 1e6 + +tm[4] * 1e4;
        t = timerStartUs + media / +sp[1];
      } else t = (k ? anchorT[k - 1] : timerStartUs) + 1000;
    }
    if (k && t < anchorT[k - 1]) t = anchorT[k - 1];
    anchorT.push(t);
  }
  // before the first anchor: start-up, spread evenly from the first line to the timer start
  const a0 = statusIdx[0];
  for (let i = 0; i < a0; i++) msgs[i].t = first + ((anchorT[0] - first) * i) / Math.max(1, a0);
  for (let k = 0; k < statusIdx.length; k++) {
    const ia = statusIdx[k];
    msgs[ia].t = anchorT[k];
    const ib = k + 1 < statusIdx.length ? statusIdx[k + 1] : msgs.length;
    const tb = k + 1 < statusIdx.length ? anchorT[k + 1] : Infinity;
    // the idle gap: before the first playlist reload after this anchor
    let g = ib;
    for (let i = ia + 1; i < ib; i++) {
      if (RELOAD_RE.test(msgs[i].text)) {
        g = i;
        break;
      }
    }
    const fwdEnd = anchorT[k] + (g - 1 - ia) * dt;
    const bwdStart = tb - (ib - g) * dt;
    if (tb !== Infinity && fwdEnd > bwdStart) {
      for (let i = ia + 1; i < ib; i++) {
        msgs[i].t = anchorT[k] + ((tb - anchorT[k]) * (i - ia)) / (ib - ia);
      }
    } else {
      for (let i = ia + 1; i < g; i++) msgs[i].t = anchorT[k] + (i - ia) * dt;
      for (let i = g; i < ib; i++) msgs[i].t = tb - (ib - i) * dt;
    }
  }
  return { timerStartUs, mode: "paced" };
}
