/**
 * The groups of {@link ./groups.ts} on the wire: their validation rule, their merge (cells of
 * the same label add, sketches merge, the experience merges as the fleet's does) and the report
 * the summary and its JSON show.
 *
 * The snapshot's own helpers (exact sums, sketch and viewer merges) are passed in, so this
 * module and the snapshot's do not import each other.
 * @module
 */
import { count, map, obj, type Rule } from "./validate.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { type ViewerReport, viewerReport } from "../viewer/report.ts";
import type { ViewerWire } from "../viewer/stats.ts";
import { type GroupCell, MAX_GROUPS } from "./groups.ts";
import { type ByKind, byKind } from "./http_stats.ts";
import { type Percentiles, Sketch, type SketchWire } from "../math/sketch.ts";

/** A rendition label (`720p`, `1280x720`, `2.5M`, `v0`) or an IP address. */
const LABEL = /^[A-Za-z0-9.:*-]{1,64}$/;

/**
 * The rule of one kind of groups, given the snapshot's sketch and viewer rules.
 *
 * @example
 * ```ts
 * import { count, validate } from "./validate.ts";
 * validate({}, groupsRule(count, count)); // an empty map is fine
 * ```
 */
export function groupsRule(sketch: Rule, viewers: Rule): Rule {
  return map(
    LABEL,
    "a rendition or an address",
    obj({
      viewers: count,
      requests: obj(Object.fromEntries(REQUEST_KINDS.map((k) => [k, count]))),
      bytes: count,
      errors: count,
      ttfbMs: sketch,
      experience: viewers,
    }),
    MAX_GROUPS,
  );
}

/** The snapshot merge's helpers. */
export interface MergeTools {
  /** `n` when a sum of counts is still exact, else it throws naming `path`. */
  exact(n: number, path: string): number;
  sketches(wires: readonly SketchWire[], path: string): SketchWire;
  viewers(wires: readonly ViewerWire[], path: string): ViewerWire;
}

/**
 * Merges one kind of groups of several snapshots: the union of their labels, each label's cells
 * added. Undefined when no part has any.
 *
 * @example Not run: the tools are the snapshot merge's (src/fleet/merge.ts)
 * ```ts ignore
 * mergeGroups([a.renditions, b.renditions], "renditions", tools);
 * ```
 */
export function mergeGroups(
  parts: readonly (Record<string, GroupCell> | undefined)[],
  path: string,
  tools: MergeTools,
): Record<string, GroupCell> | undefined {
  const present = parts.filter((p): p is Record<string, GroupCell> => p !== undefined);
  if (!present.length) return undefined;
  const labels = [...new Set(present.flatMap((p) => Object.keys(p)))].sort();
  return Object.fromEntries(labels.map((label) => {
    const cells = present.flatMap((p) => (p[label] ? [p[label]] : []));
    const at = `${path}.${label}`;
    const add = (pick: (c: GroupCell) => number, f: string) =>
      tools.exact(cells.reduce((n, c) => n + pick(c), 0), `${at}.${f}`);
    const requests = byKind();
    for (const k of REQUEST_KINDS) requests[k] = add((c) => c.requests[k], `requests.${k}`);
    return [label, {
      viewers: add((c) => c.viewers, "viewers"),
      requests,
      bytes: add((c) => c.bytes, "bytes"),
      errors: add((c) => c.errors, "errors"),
      ttfbMs: tools.sketches(cells.map((c) => c.ttfbMs), `${at}.ttfbMs`),
      experience: tools.viewers(cells.map((c) => c.experience), `${at}.experience`),
    }];
  }));
}

/** One group as the summary shows it. */
export interface GroupReport {
  /** The rendition's label or the address. */
  name: string;
  viewers: number;
  requests: ByKind;
  bytes: number;
  errors: number;
  /** Errors over all requests; null without requests. */
  errorRate: number | null;
  segmentTtfbMs: Percentiles;
  experience: ViewerReport;
}

/**
 * The report of one kind of groups, in label order; null when the run had none.
 *
 * @example
 * ```ts
 * groupReports(undefined); // null
 * ```
 */
export function groupReports(groups: Record<string, GroupCell> | undefined): GroupReport[] | null {
  if (!groups) return null;
  return Object.entries(groups).map(([name, c]) => {
    const requests = REQUEST_KINDS.reduce((n, k) => n + c.requests[k], 0);
    return {
      name,
      viewers: c.viewers,
      requests: { ...c.requests },
      bytes: c.bytes,
      errors: c.errors,
      errorRate: requests > 0 ? c.errors / requests : null,
      segmentTtfbMs: Sketch.fromWire(c.ttfbMs).percentiles(),
      experience: viewerReport(c.experience),
    };
  });
}
