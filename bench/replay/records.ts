/**
 * Writes the script: its header (`#` notes and `!` directives), then one record a write,
 * `<t_us>\t<kind>\t<text>` (the time left empty when it equals the previous record's), for the
 * intro, the `!loop` body and the `!tail`. A message becomes FFmpeg's writes: datetime (with
 * `--keep-datetime`), context, `[level] `, then its text in the pieces FFmpeg writes it in; the
 * progress block written after it is one write on fd 1.
 * @module
 */
import { LEVEL_LETTER, type Msg, splitText } from "./messages.ts";
import type { LoopPlan } from "./loop.ts";
import type { Options } from "./options.ts";
import {
  esc,
  type LoopSteps,
  type TailDeltas,
  templBody,
  templProgress,
  templStatus,
} from "./templates.ts";
import type { Timing } from "./timing.ts";

/** The header: where the script comes from, how it is timed, the notes, the directives. */
function header(o: Options, timing: Timing, plan: LoopPlan): string[] {
  const { mode, timerStartUs } = timing;
  const lines = [
    "# hls-replay script v1",
    `# from ${o.stderr}` + (o.progress ? ` + ${o.progress}` : ""),
    `# timing: ${mode}` +
    (mode === "paced"
      ? ` (status-line anchors from progress frame/fps; first line at ${o.firstLineMs} ms, ` +
        `transcode start ${o.firstLineMs + o.startupMs} ms, ${o.lineUs} µs between burst messages)`
      : " (captured datetime prefixes)"),
    ...plan.notes.map((n) => `# ${n}`),
    "# record: <t_us>\\t<kind>\\t<text>; kind = fd [level letter on a message's first write] [l = level tag] [s = status line]",
    `!timer_start_us ${Math.round(timerStartUs)}`,
  ];
  if (plan.looping) lines.push(`!period_us ${plan.periodUs}`, `!cycle_us ${plan.cycleUs}`);
  else lines.push(`!exit ${o.exitCode}`);
  return lines;
}

/** The final status line's frame and media time as deltas from the status line before it. */
function tailDeltas(msgs: Msg[], tailStart: number): TailDeltas {
  const finalStatus = tailStart < msgs.length ? msgs[tailStart] : null;
  let prevStatus: Msg | null = null;
  if (finalStatus) {
    for (let j = tailStart - 1; j >= 0; j--) {
      if (msgs[j].status && msgs[j].progress) {
        prevStatus = msgs[j];
        break;
      }
    }
  }
  if (!finalStatus || !prevStatus) return { frameDelta: 0, outDelta: 0 };
  const frame = /frame=\s*(\d+)/.exec(finalStatus.text);
  return {
    frameDelta: (frame ? +frame[1] : 0) - (prevStatus.progress!.frame ?? 0),
    outDelta: (finalStatus.progress?.outUs ?? 0) - (prevStatus.progress!.outUs ?? 0),
  };
}

/** The whole script text for timed messages and their loop plan. */
export function scriptText(msgs: Msg[], o: Options, timing: Timing, plan: LoopPlan): string {
  const { looping, loopStart, loopEnd, tailStart, steps } = plan;
  const lines = header(o, timing, plan);
  const noSteps: LoopSteps = { k: false, frame: 0, mediaUs: 0, seg: 0 };
  let lastT = -1;
  const emit = (t: number, kind: string, text: string) => {
    const ti = Math.round(t);
    lines.push(`${ti === lastT ? "" : ti}\t${kind}\t${text}`);
    lastT = ti;
  };
  const deltas = tailDeltas(msgs, tailStart);

  const emitMsg = (m: Msg, st: LoopSteps, inBody: boolean, inTail: boolean) => {
    const lv = LEVEL_LETTER[m.level] ?? "";
    const pieces: { text: string; lvlTag: boolean }[] = [];
    if (m.datetime && o.keepDatetime) pieces.push({ text: esc(m.datetime), lvlTag: false });
    if (m.ctx) pieces.push({ text: esc(m.ctx), lvlTag: false });
    if (m.level) pieces.push({ text: esc(`[${m.level}] `), lvlTag: true });
    let parts = splitText(m).map(esc);
    if (m.status) {
      const tail = inTail && m.final ? deltas : null;
      parts = [templStatus(parts.join(""), m.progress, st, tail)];
    } else if (inBody) {
      parts = parts.map((p) => templBody(p, st));
    } else if (inTail) {
      parts = parts.map((p) => p.replace(/received signal \d+/, "received signal \\{sig}"));
    }
    for (const p of parts) pieces.push({ text: p, lvlTag: false });
    pieces.forEach((p, i) => {
      let kind = "2";
      if (i === 0) kind += lv || "i";
      if (p.lvlTag) kind += "l";
      if (i === 0 && m.status && !m.final) kind += "s";
      emit(m.t, kind, p.text);
    });
    if (m.progress) emit(m.t, "1", templProgress(esc(m.progress.text), st, inTail && m.final));
  };

  const introEnd = looping ? loopStart : tailStart;
  for (let i = 0; i < introEnd; i++) emitMsg(msgs[i], noSteps, false, false);
  if (looping) {
    lines.push("!loop");
    lastT = -1;
    for (let i = loopStart; i < loopEnd; i++) emitMsg(msgs[i], steps, true, false);
  }
  if (tailStart < msgs.length) {
    lines.push("!tail");
    lastT = -1;
    for (let i = tailStart; i < msgs.length; i++) emitMsg(msgs[i], noSteps, false, true);
  }
  return lines.join("\n") + "\n";
}
