/**
 * `--variant-mix 1080p=20%,720p=50%,360p=30%` as typed: which renditions, named how, at what
 * share. Matching the entries to a master playlist's variants is process/variant_match.ts's.
 * @module
 */

/** How a mix entry names its rendition. */
export type RenditionSelector =
  | { by: "height"; height: number }
  | { by: "resolution"; width: number; height: number }
  | { by: "bandwidth"; bps: number }
  | { by: "index"; index: number };

/** One entry of `--variant-mix`, as given. */
export interface MixEntry {
  /** The entry's name as typed (`720p`): the label of its figures. */
  label: string;
  selector: RenditionSelector;
  /** Its share, in percent. */
  percent: number;
}

/** More renditions than any ladder has; each is a label of the figures by rendition. */
export const MAX_MIX_ENTRIES = 16;
function parseSelector(key: string): RenditionSelector | null {
  let m = /^(\d{1,5})p$/.exec(key);
  if (m) return { by: "height", height: Number(m[1]) };
  m = /^(\d{1,5})x(\d{1,5})$/.exec(key);
  if (m) return { by: "resolution", width: Number(m[1]), height: Number(m[2]) };
  m = /^v(\d{1,3})$/.exec(key);
  if (m) return { by: "index", index: Number(m[1]) };
  m = /^(\d+(?:\.\d+)?)(k|K|M|bps)$/.exec(key);
  if (m) {
    const scale = m[2] === "bps" ? 1 : m[2] === "M" ? 1e6 : 1e3;
    const bps = Number(m[1]) * scale;
    return bps > 0 ? { by: "bandwidth", bps } : null;
  }
  return null;
}

/**
 * Reads a `--variant-mix` value. Problems go to `errors`, one line each; the result is null then.
 *
 * @example
 * ```ts
 * const errors: string[] = [];
 * parseVariantMix("720p=50%,v1=30%,950k=20%", errors)?.map((e) => e.selector.by);
 * // ["height", "index", "bandwidth"]
 * ```
 */
export function parseVariantMix(text: string, errors: string[]): MixEntry[] | null {
  const before = errors.length;
  const entries: MixEntry[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(\d+(?:\.\d+)?)%$/.exec(part);
    const selector = m ? parseSelector(m[1].trim()) : null;
    if (!m || !selector) {
      errors.push(
        `variant-mix: "${part}" is not RENDITION=PERCENT% (RENDITION: 720p, 1280x720, 2.5M, ` +
          "950k, 950400bps or v0)",
      );
      continue;
    }
    const label = m[1].trim();
    if (entries.some((e) => e.label === label)) errors.push(`variant-mix: ${label} is given twice`);
    entries.push({ label, selector, percent: Number(m[2]) });
  }
  if (errors.length === before) {
    const total = entries.reduce((s, e) => s + e.percent, 0);
    if (!entries.length) errors.push("variant-mix: names no rendition");
    else if (Math.abs(total - 100) > 1e-6) {
      errors.push(`variant-mix: the shares add up to ${round(total)} %, not 100 %`);
    }
    if (entries.length > MAX_MIX_ENTRIES) {
      errors.push(`variant-mix: at most ${MAX_MIX_ENTRIES} renditions (got ${entries.length})`);
    }
  }
  return errors.length > before ? null : entries;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
