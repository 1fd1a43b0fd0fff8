/**
 * `k8s render`'s comment lines for the rendition mix and the edge addresses: the run's split and
 * each pod's share. Viewers are assigned by global client id (src/process/variant_match.ts,
 * src/config/resolve.ts), so a pod's share is that of the ids it runs; renditions are matched to
 * the master playlist by each pod's own probe when it starts, so here they are named as given.
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import { processPlan } from "./audience_plan.ts";
import { describeResolve, edgeAddressFor } from "../config/resolve.ts";
import { describeResolveDns } from "../net/dns_plan.ts";
import { type MixRendition, renditionFor } from "../process/variant_match.ts";
import { largestRemainder } from "../math/weighted.ts";

/** Pods listed one by one; more are summed up as "…". */
const LISTED_PODS = 8;

type PlanConfig =
  & Parameters<typeof processPlan>[0]
  & Pick<SwarmConfig, "variantMix" | "resolve">
  & Partial<Pick<SwarmConfig, "resolveDns">>;

/**
 * The lines (none without a mix or --resolve).
 *
 * @example
 * ```ts
 * const config = { stages: null, sessionDuration: null, shard: null, clients: 4, rampRate: 1,
 *   durationMs: 60_000,
 *   variantMix: null, resolve: { host: "cdn.example", port: 80,
 *     addresses: [{ ip: "127.0.0.2", weight: 1 }, { ip: "127.0.0.3", weight: 1 }] } };
 * groupPlanComments(config, 2);
 * // ["# edge addresses: cdn.example:80 → 127.0.0.2, 127.0.0.3 (round robin by client id)",
 * //  "#   pod 0: 127.0.0.2 1, 127.0.0.3 1; pod 1: 127.0.0.2 1, 127.0.0.3 1"]
 * ```
 */
export function groupPlanComments(config: PlanConfig, shards: number): string[] {
  const pods = Array.from({ length: Math.min(shards, LISTED_PODS) }, (_, index) => {
    const plan = processPlan({ ...config, shard: { index, count: shards } });
    return Array.from({ length: plan.clients }, (_, k) => plan.firstClient + k);
  });
  // Each pod's count of every name, in the order the flag gives them (0 included).
  const perPod = (names: readonly string[], of: (id: number) => string) =>
    "#   " + pods.map((ids, i) => {
      const counts = new Map(names.map((n) => [n, 0]));
      for (const id of ids) counts.set(of(id), (counts.get(of(id)) ?? 0) + 1);
      return `pod ${i}: ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`;
    }).join("; ") + (shards > LISTED_PODS ? `; … (${shards} pods)` : "");
  const lines: string[] = [];
  if (config.variantMix) {
    const counts = largestRemainder(config.clients, config.variantMix.map((e) => e.percent));
    // Only the labels and counts decide who plays what; the variants are matched at start.
    const mix: MixRendition[] = config.variantMix.map((e, i) => ({
      label: e.label,
      programId: i,
      count: counts[i],
      bitrate: 0,
      width: null,
      height: null,
    }));
    lines.push(
      `# rendition mix: ${mix.map((r) => `${r.label} ${r.count}`).join(", ")} of ` +
        `${config.clients} viewers by client id (each pod matches them to the master at start)`,
      perPod(mix.map((r) => r.label), (id) => renditionFor(mix, id).label),
    );
  }
  const resolve = config.resolve;
  if (resolve) {
    lines.push(
      `# edge addresses: ${describeResolve(resolve)}`,
      perPod(resolve.addresses.map((a) => a.ip), (id) => edgeAddressFor(resolve, id)),
    );
  }
  if (config.resolveDns) {
    // Each pod's viewers look the host up themselves: the spread is the DNS's, known at run time.
    lines.push(`# edge addresses: ${describeResolveDns(config.resolveDns)}, in each pod`);
  }
  return lines;
}
