/**
 * The families by rendition (`--variant-mix`, label `rendition`) and by edge address
 * (`--resolve`, label `edge_address`), from src/stats/groups.ts: requests by kind, body bytes,
 * errors, segment TTFB, sessions by start outcome, startup time, rebuffering and watch time.
 * Both labels come from the run's own flags (at most 16 renditions, 64 addresses), so they are
 * bounded without folding. No family is written without a mix or --resolve.
 *
 * Shares and ratios are left to Prometheus, e.g. a rendition's share of segment requests:
 * `sum by (rendition) (rate(hlsswarm_rendition_requests_total{kind="segment"}[1m])) / ignoring
 * (rendition) group_left sum(rate(hlsswarm_rendition_requests_total{kind="segment"}[1m]))`.
 * @module
 */
import type { Snapshot } from "../stats/snapshot.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import type { GroupCell } from "../stats/groups.ts";
import { type Family, familyMaker, type Labels, LATENCY_BUCKETS } from "./exposition.ts";
import { VIEWER_BUCKETS } from "./viewers.ts";

/**
 * The families of a snapshot's groups (none without a mix or --resolve).
 *
 * @example
 * ```ts
 * groupFamilies({}); // []
 * ```
 */
export function groupFamilies(s: Pick<Snapshot, "renditions" | "edgeAddresses">): Family[] {
  return [
    ...kindFamilies("hlsswarm_rendition_", "rendition", "rendition", s.renditions),
    ...kindFamilies("hlsswarm_edge_address_", "edge_address", "edge address", s.edgeAddresses),
  ];
}

function kindFamilies(
  prefix: string,
  label: string,
  what: string,
  groups: Record<string, GroupCell> | undefined,
): Family[] {
  if (!groups) return [];
  const cells = Object.entries(groups).map(([name, c]) => ({ labels: { [label]: name }, c }));
  const { counter, gauge, histogram } = familyMaker(prefix);
  return [
    gauge(
      "viewers",
      `Viewers (client ids) of each ${what} that ran.`,
      cells.map(({ labels, c }) => [labels, c.viewers]),
    ),
    counter(
      "requests_total",
      `Requests of the viewers of each ${what}, by request kind.`,
      cells.flatMap(({ labels, c }) =>
        REQUEST_KINDS.map((kind) => [{ ...labels, kind }, c.requests[kind]] as [Labels, number])
      ),
    ),
    counter(
      "bytes_total",
      `Body bytes received by the viewers of each ${what}.`,
      cells.map(({ labels, c }) => [labels, c.bytes]),
    ),
    counter(
      "errors_total",
      `Responses >= 400 and unanswered requests of the viewers of each ${what}.`,
      cells.map(({ labels, c }) => [labels, c.errors]),
    ),
    histogram(
      "segment_ttfb_seconds",
      `Segment time to first byte by ${what}.`,
      LATENCY_BUCKETS,
      0.001,
      cells.map(({ labels, c }) => [labels, c.ttfbMs]),
    ),
    counter(
      "sessions_total",
      `Viewing sessions by ${what} and start outcome (started, vsf, ebvs).`,
      cells.flatMap(({ labels, c }) =>
        (["started", "vsf", "ebvs"] as const).map((
          outcome,
        ) => [{ ...labels, outcome }, c.experience.sessions[outcome]] as [Labels, number])
      ),
    ),
    histogram(
      "startup_seconds",
      `Startup time by ${what}: first playlist request to the first media segment arrived.`,
      VIEWER_BUCKETS,
      0.001,
      cells.map(({ labels, c }) => [labels, c.experience.startupMs]),
    ),
    counter(
      "rebuffer_seconds_total",
      `Rebuffering time by ${what} (inferred by the virtual player).`,
      cells.map(({ labels, c }) => [labels, c.experience.rebufferMs / 1000]),
    ),
    counter(
      "watch_seconds_total",
      `Play plus rebuffer time by ${what}.`,
      cells.map(({ labels, c }) => [
        labels,
        (c.experience.playMs + c.experience.rebufferMs) / 1000,
      ]),
    ),
  ];
}
