/**
 * Prometheus without the operator: a `kubernetes_sd_configs` pod job that finds the shard pods
 * and labels them exactly as the PodMonitor does (the same {@linkcode RELABELLING}), written to
 * deploy/prometheus/prometheus.yml by src/k8s/base.ts.
 * @module
 */
import {
  APP,
  POD_DISCOVERY,
  type PrometheusRelabel,
  RELABELLING,
  SCRAPE_INTERVAL,
  toPrometheus,
} from "./labels.ts";

/** One scrape job of a Prometheus configuration. */
export interface ScrapeJob {
  job_name: string;
  scrape_interval: string;
  honor_labels: boolean;
  kubernetes_sd_configs: { role: "pod" }[];
  relabel_configs: PrometheusRelabel[];
}

/**
 * The scrape job for every hls-swarm shard pod in the cluster.
 *
 * @example
 * ```ts
 * scrapeJob().job_name; // "hls-swarm"
 * ```
 */
export function scrapeJob(): ScrapeJob {
  return {
    job_name: APP,
    scrape_interval: SCRAPE_INTERVAL,
    // As in the PodMonitor: the series' own run_id is kept, not renamed exported_run_id.
    honor_labels: true,
    kubernetes_sd_configs: [{ role: "pod" }],
    relabel_configs: [...POD_DISCOVERY, ...RELABELLING].map(toPrometheus),
  };
}

/**
 * A whole Prometheus configuration: the scrape job and the recording rules beside it.
 *
 * @example
 * ```ts
 * import { toYaml } from "./yaml.ts";
 * toYaml(prometheusConfig()); // global: …, rule_files: [rules.yml], scrape_configs: […]
 * ```
 */
export function prometheusConfig(): {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
  scrape_configs: ScrapeJob[];
} {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    rule_files: ["rules.yml"],
    scrape_configs: [scrapeJob()],
  };
}
