/**
 * The script's three parts and how the loop advances: the intro plays once, the loop body (from
 * the N-th playlist reload up to the last reload before the final status line) repeats with its
 * numbers advanced by one pass's worth each time, and the tail (from the final status line, the
 * one the signal makes FFmpeg write) plays when the replay is stopped.
 * @module
 */
import type { Msg } from "./messages.ts";
import { SEQUENCE_CHANGE_RE } from "./templates.ts";
import type { LoopSteps } from "./templates.ts";
import { RELOAD_RE } from "./timing.ts";

/** The loop options (as make_script.ts's flags give them). */
export interface LoopOptions {
  loopFrom: number;
  noLoop: boolean;
  periodMs: number | null;
  lineUs: number;
}

/** Where the parts start and what one pass adds; the notes go in the header and on stderr. */
export interface LoopPlan {
  /** whether there is a loop body (else the script plays once and exits) */
  looping: boolean;
  /** the body's first message, or -1 */
  loopStart: number;
  /** the message after the body, or -1 */
  loopEnd: number;
  /** the final status line, or msgs.length without one */
  tailStart: number;
  steps: LoopSteps;
  periodUs: number;
  /** one reload cycle's media time, µs */
  cycleUs: number;
  notes: string[];
}

/**
 * The upper middle value (not the mean of the middle two): the committed scripts were made
 * with it, and a loop's segment length is a run of equal steps anyway.
 */
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Finds the intro, loop body and tail of timed messages, and what a pass advances. */
export function planLoop(msgs: Msg[], o: LoopOptions): LoopPlan {
  // tail: from the final status line (written on the signal) to the end
  let tailStart = msgs.findIndex((m) => m.final);
  const hasSignalTail = tailStart >= 0 &&
    msgs.slice(tailStart).some((m) => /received signal \d+/.test(m.text));
  if (tailStart < 0) tailStart = msgs.length;

  const firstStatus = msgs.findIndex((m) => m.status);
  const reloads = msgs
    .map((
      m,
      i,
    ) => (i > firstStatus && firstStatus >= 0 && i < tailStart && RELOAD_RE.test(m.text) ? i : -1))
    .filter((i) => i >= 0);

  let loopStart = -1, loopEnd = -1;
  if (!o.noLoop && reloads.length > o.loopFrom) {
    loopStart = reloads[o.loopFrom - 1];
    loopEnd = reloads[reloads.length - 1];
  }
  const looping = loopStart >= 0 && loopEnd > loopStart;
  const notes: string[] = [];

  const steps: LoopSteps = { k: true, frame: 0, mediaUs: 0, seg: 0 };
  let periodUs = 0;
  if (looping) {
    const body = msgs.slice(loopStart, loopEnd);
    const segUrls = new Set<string>(), playlists = new Set<string>();
    for (const m of body) {
      const r = /^HLS request for url '([^']*)', offset \d+, playlist (\d+)/.exec(m.text);
      if (r) {
        segUrls.add(r[1]);
        playlists.add(r[2]);
      }
    }
    const cycles = body.filter((m) => RELOAD_RE.test(m.text)).length;
    steps.seg = segUrls.size ? Math.round(segUrls.size / Math.max(1, playlists.size)) : cycles;
    const segDur: number[] = [];
    for (const m of body) {
      const r = SEQUENCE_CHANGE_RE.exec(m.text);
      if (r && +r[2] > +r[1]) segDur.push((+r[4] - +r[3]) / (+r[2] - +r[1]));
    }
    const bb = body.filter((m) => m.progress && m.progress.frame && m.progress.outUs !== null).map((
      m,
    ) => m.progress!);
    const outSteps = bb.slice(1).map((b, i) => b.outUs! - bb[i].outUs!).filter((d) => d > 0);
    const segUs = median(segDur) ?? median(outSteps) ?? 2e6;
    steps.mediaUs = Math.round(steps.seg * segUs);
    if (bb.length >= 2 && bb[bb.length - 1].outUs! > bb[0].outUs!) {
      const rate = (bb[bb.length - 1].frame! - bb[0].frame!) /
        (bb[bb.length - 1].outUs! - bb[0].outUs!);
      steps.frame = Math.round(rate * steps.mediaUs);
    }
    periodUs = o.periodMs !== null ? Math.round(o.periodMs * 1000) : steps.mediaUs;
    const span = msgs[loopEnd].t - msgs[loopStart].t;
    const lastT = msgs[loopEnd - 1].t - msgs[loopStart].t;
    if (periodUs <= lastT) {
      notes.push(`period ${periodUs} µs was shorter than the loop body (${lastT} µs); raised`);
      periodUs = Math.ceil(lastT + o.lineUs);
    }
    notes.push(
      `loop: messages ${loopStart}..${loopEnd - 1} (${cycles} reload cycles), captured span ${
        Math.round(span)
      } µs, ` +
        `period ${periodUs} µs = ${steps.seg} segments x ${Math.round(segUs)} µs of media`,
    );
    notes.push(
      `per pass: frame +${steps.frame}, media +${steps.mediaUs} µs, segment/sequence +${steps.seg}`,
    );
    if (tailStart > loopEnd) {
      notes.push(
        `dropped messages ${loopEnd}..${tailStart - 1}: the reload cycle the signal cut short`,
      );
    }
  }

  if (tailStart < msgs.length && !hasSignalTail) {
    notes.push("the capture's end has no 'received signal' line");
  }
  const cycleUs = Math.round(steps.seg ? steps.mediaUs / steps.seg : 2e6) || 2e6;
  return { looping, loopStart, loopEnd, tailStart, steps, periodUs, cycleUs, notes };
}
