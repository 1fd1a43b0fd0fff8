/**
 * Generates hls-swarm.json, the Grafana dashboard of hls-swarm's /metrics, from one table of
 * rows and panels. Every panel, option and variable is typed against Grafana's own schema
 * (@grafana/schema), so `deno check` is the schema check; tests/grafana_test.ts runs it, checks
 * that hls-swarm.json is this file's output, and runs every query against a real Prometheus.
 *
 * ```sh
 * deno check --no-config --no-lock deploy/grafana/dashboard.ts        # schema check
 * deno run --no-config --no-lock --allow-write=deploy/grafana deploy/grafana/dashboard.ts
 * deno run --no-config --no-lock deploy/grafana/dashboard.ts --stdout # print, write nothing
 * ```
 *
 * `--no-config` keeps the schema package out of the project's deno.json and lockfile: only the
 * generator needs it, and only for its types.
 * @module
 */
// The schema package is imported inline on purpose: adding it to deno.json would put a
// dependency in every project command's lockfile for a file no project command imports.
// deno-lint-ignore-file no-import-prefix
import type { Dashboard, Panel, RowPanel, VariableModel } from "npm:@grafana/schema@13.2.3";
import { DS, type Json, type Row } from "./panels.ts";
import { AUDIENCE_ROWS } from "./rows_audience.ts";
import { CDN_ROWS } from "./rows_cdn.ts";
import { GROUP_ROWS } from "./rows_groups.ts";
import { HEALTH_ROWS } from "./rows_health.ts";
import { VIEWER_ROWS } from "./rows_viewers.ts";

/** The schemaVersion of the Grafana the types come from (@grafana/schema 13.2). */
export const SCHEMA_VERSION = 42;

const [CLIENTS_ROW, ...EXPERIENCE_ROWS] = VIEWER_ROWS;
/**
 * The dashboard's rows, top to bottom: the clients, then the audience (how they came and went:
 * the next question after how many there are), what the viewers saw and fetched, the same by
 * rendition and edge address, the CDN, then health.
 */
export const ROWS: Row[] = [
  CLIENTS_ROW,
  ...AUDIENCE_ROWS,
  ...EXPERIENCE_ROWS,
  ...GROUP_ROWS,
  ...CDN_ROWS,
  ...HEALTH_ROWS,
];

function variables(): Json<VariableModel>[] {
  return [
    {
      name: "datasource",
      label: "Prometheus",
      type: "datasource",
      query: "prometheus",
      refresh: 1,
      hide: 0,
      regex: "",
      includeAll: false,
      multi: false,
      options: [],
    },
    {
      name: "run_id",
      label: "Run",
      description: "hls-swarm's --run-id (printed at start); the newest run comes first.",
      type: "query",
      datasource: DS,
      query: "label_values(hlsswarm_info, run_id)",
      refresh: 2,
      sort: 2,
      hide: 0,
      regex: "",
      includeAll: false,
      multi: false,
      options: [],
    },
    {
      name: "shard",
      label: "Shard",
      description: "Shards of the run (the shard label Prometheus relabelling adds). A single " +
        "hls-swarm process has none: All (.*) still matches it.",
      type: "query",
      datasource: DS,
      query: 'label_values(hlsswarm_info{run_id="$run_id"}, shard)',
      refresh: 2,
      sort: 3,
      hide: 0,
      regex: "",
      includeAll: true,
      allValue: ".*",
      multi: true,
      current: { text: ["All"], value: ["$__all"], selected: true },
      options: [],
    },
  ];
}

/** Places the rows' panels on Grafana's 24-column grid and numbers them. */
function layout(rows: Row[]): Json<Panel | RowPanel>[] {
  const out: Json<Panel | RowPanel>[] = [];
  let id = 1, y = 0;
  for (const row of rows) {
    out.push({
      type: "row",
      title: row.title,
      collapsed: false,
      id: id++,
      gridPos: { h: 1, w: 24, x: 0, y: y++ },
      panels: [],
    });
    for (const line of row.lines) {
      let x = 0;
      for (const [w, panel] of line.panels) {
        out.push({ ...panel, id: id++, gridPos: { h: line.h, w, x, y } });
        x += w;
      }
      if (x > 24) throw new Error(`row "${row.title}": widths add up to ${x} > 24`);
      y += line.h;
    }
  }
  return out;
}

/** The whole dashboard, as hls-swarm.json holds it. */
export function dashboard(): Json<Dashboard> {
  return {
    uid: "hls-swarm",
    title: "hls-swarm",
    description: "An HLS load test by hls-swarm: real FFmpeg viewers, their traffic, errors, " +
      "latency and playback, the load box itself and the origin. Every figure says whether " +
      "it is measured or inferred.",
    tags: ["hls-swarm", "hls", "load-test"],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: "now-30m", to: "now" },
    refresh: "10s",
    timezone: "browser",
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [],
    annotations: {
      list: [{
        builtIn: 1,
        datasource: { type: "grafana", uid: "-- Grafana --" },
        enable: true,
        hide: true,
        iconColor: "rgba(0, 211, 255, 1)",
        name: "Annotations & Alerts",
        type: "dashboard",
      }],
    },
    templating: { list: variables() },
    panels: layout(ROWS),
  };
}

if (import.meta.main) {
  const text = JSON.stringify(dashboard(), null, 2) + "\n";
  if (Deno.args.includes("--stdout")) {
    await Deno.stdout.write(new TextEncoder().encode(text));
  } else {
    const path = new URL("./hls-swarm.json", import.meta.url);
    await Deno.writeTextFile(path, text);
    console.log(`wrote ${path.pathname}`);
  }
}
