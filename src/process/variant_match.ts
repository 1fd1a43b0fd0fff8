/**
 * `--variant-mix 1080p=20%,720p=50%,360p=30%`: viewers spread over the renditions of a master
 * playlist, as a real audience is. config/variant_mix.ts reads the value; here its entries meet
 * the master, probed once (ffprobe, as `--variant highest` does). Each entry names a rendition by
 * - height: `720p` (the variant whose video is 720 lines high),
 * - resolution: `1280x720`,
 * - bandwidth: `2.5M`, `950k` or `950400bps` (the variant whose BANDWIDTH is nearest, within
 *   10 %),
 * - index: `v0`, `v1` … (its place in the master playlist, which is ffprobe's program id).
 *
 * Viewers are assigned by client id: the run's clients are split by the largest-remainder
 * method (so each rendition's count is within 1 viewer of its share), then interleaved (so a
 * ramp cut short or a shard of every n-th id holds the mix too). The same id gets the same
 * rendition in every shard and pod.
 *
 * What FFmpeg itself does: while it opens a master playlist, FFmpeg reads the first segments of
 * every variant to learn their streams (2 per variant on 5.1), and only then keeps to the mapped
 * one. Those startup requests count under the viewer's rendition in the figures by rendition.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";
import type { MixEntry, RenditionSelector } from "../config/variant_mix.ts";
import type { ProbedProgram } from "./ffprobe.ts";
import { interleave, largestRemainder } from "../math/weighted.ts";

/** One rendition of a run's mix, matched to the master playlist. */
export interface MixRendition {
  label: string;
  programId: number;
  /** Viewers (of the run's `--clients`) assigned to it. */
  count: number;
  bitrate: number;
  width: number | null;
  height: number | null;
}

/** A mix naming a rendition the master playlist lacks (or names ambiguously). */
export class VariantMixError extends ExitError {
  override name = "VariantMixError";
  readonly exitCode = EXIT.usage;
}

/** How far a bandwidth entry may lie from the variant's BANDWIDTH. */
const BANDWIDTH_TOLERANCE = 0.1;

/**
 * How one variant reads in messages and the summary.
 *
 * @example
 * ```ts
 * describeProgram({ programId: 1, bitrate: 290400, width: 320, height: 180 });
 * // "v1 320x180 290 kbit/s"
 * ```
 */
export function describeProgram(p: ProbedProgram): string {
  const size = p.width && p.height ? `${p.width}x${p.height}` : "audio only";
  return `v${p.programId} ${size} ${Math.round(p.bitrate / 1000)} kbit/s`;
}

function matches(s: RenditionSelector, p: ProbedProgram): boolean {
  switch (s.by) {
    case "height":
      return p.height === s.height;
    case "resolution":
      return p.width === s.width && p.height === s.height;
    case "index":
      return p.programId === s.index;
    case "bandwidth":
      return Math.abs(p.bitrate - s.bps) <= s.bps * BANDWIDTH_TOLERANCE;
  }
}

/**
 * Matches a mix to the probed variants and splits `clients` viewers over them. Throws a
 * {@linkcode VariantMixError} (exit 2) listing what the master playlist has when an entry names
 * no variant, more than one, or one that another entry names too.
 *
 * @example
 * ```ts
 * import { parseVariantMix } from "../config/variant_mix.ts";
 * const programs = [
 *   { programId: 0, bitrate: 950400, width: 640, height: 360 },
 *   { programId: 1, bitrate: 290400, width: 320, height: 180 },
 * ];
 * const entries = parseVariantMix("360p=70%,180p=30%", [])!;
 * matchVariantMix(entries, programs, 7).map((r) => [r.label, r.programId, r.count]);
 * // [["360p", 0, 5], ["180p", 1, 2]]
 * ```
 */
export function matchVariantMix(
  entries: readonly MixEntry[],
  programs: readonly ProbedProgram[],
  clients: number,
): MixRendition[] {
  const inOrder = [...programs].sort((a, b) => a.programId - b.programId);
  const has = () => `; the master playlist has: ${inOrder.map(describeProgram).join(", ")}`;
  const chosen = entries.map((e) => {
    let found = programs.filter((p) => matches(e.selector, p));
    if (e.selector.by === "bandwidth" && found.length > 1) {
      const bps = e.selector.bps;
      found = [...found].sort((a, b) => Math.abs(a.bitrate - bps) - Math.abs(b.bitrate - bps))
        .slice(0, 1);
    }
    if (!found.length) throw new VariantMixError(`variant-mix: no variant is ${e.label}${has()}`);
    if (found.length > 1) {
      throw new VariantMixError(
        `variant-mix: ${e.label} names ${found.length} variants (${
          found.map(describeProgram).join(", ")
        }); name one by its index (v0 …) or bandwidth${has()}`,
      );
    }
    return found[0];
  });
  chosen.forEach((p, i) => {
    const j = chosen.findIndex((q) => q.programId === p.programId);
    if (j !== i) {
      throw new VariantMixError(
        `variant-mix: ${entries[j].label} and ${entries[i].label} are the same variant ` +
          `(${describeProgram(p)})${has()}`,
      );
    }
  });
  const counts = largestRemainder(clients, entries.map((e) => e.percent));
  return entries.map((e, i) => ({
    label: e.label,
    programId: chosen[i].programId,
    count: counts[i],
    bitrate: chosen[i].bitrate,
    width: chosen[i].width,
    height: chosen[i].height,
  }));
}

/** Each mix's order of renditions over the run's client ids, computed once per array. */
const orders = new WeakMap<readonly MixRendition[], number[]>();

/**
 * The rendition client `id` plays: ids 0 … clients−1 hold exactly each rendition's count.
 *
 * @example
 * ```ts
 * const mix = [
 *   { label: "360p", programId: 0, count: 2, bitrate: 950400, width: 640, height: 360 },
 *   { label: "180p", programId: 1, count: 2, bitrate: 290400, width: 320, height: 180 },
 * ];
 * [0, 1, 2, 3].map((id) => renditionFor(mix, id).label); // ["360p", "180p", "360p", "180p"]
 * ```
 */
export function renditionFor(mix: readonly MixRendition[], id: number): MixRendition {
  let order = orders.get(mix);
  if (!order) orders.set(mix, order = interleave(mix.map((r) => r.count)));
  return mix[order.length ? order[id % order.length] : 0];
}

/**
 * How the summary header and `--print-cmd` show the mix.
 *
 * @example
 * ```ts
 * describeMix([{ label: "360p", programId: 0, count: 5, bitrate: 950400, width: 640, height: 360 }]);
 * // "360p → v0 640x360 950 kbit/s: 5 viewers"
 * ```
 */
export function describeMix(mix: readonly MixRendition[]): string {
  return mix.map((r) => `${r.label} → ${describeProgram(r)}: ${r.count} viewers`).join("; ");
}
