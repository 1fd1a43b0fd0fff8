/**
 * The building blocks of the dashboard's panels: the PromQL helpers every query uses (each
 * selects the chosen run and shards, and sums the shards), and one typed builder per panel type
 * (time series, stat, bar gauge, table), each checked against Grafana's own schema.
 *
 * @example
 * ```ts
 * const p = stat("Clients", "Measured: …", { unit: "short" }, [q(`sum(x${sel()})`, "clients")]);
 * ```
 * @module
 */
// The schema package is imported inline on purpose: adding it to deno.json would put a
// dependency in every project command's lockfile for a file no project command imports.
// deno-lint-ignore-file no-import-prefix
import type {
  FieldConfigSource,
  GraphFieldConfig,
  Panel,
  ValueMapping,
} from "npm:@grafana/schema@13.2.3";
import type { Options as TimeSeriesOptions } from "npm:@grafana/schema@13.2.3/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen";
import type { Options as StatOptions } from "npm:@grafana/schema@13.2.3/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen";
import type { Options as BarGaugeOptions } from "npm:@grafana/schema@13.2.3/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen";
import type {
  FieldConfig as TableFieldConfig,
  Options as TableOptions,
} from "npm:@grafana/schema@13.2.3/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen";

/**
 * A schema type as JSON holds it: string enums become their values ("list", not
 * LegendDisplayMode.List); everything else, required fields and unknown-field checks
 * included, stays as Grafana declares it.
 */
export type Json<T> = T extends string ? `${T}`
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;

export const DS = { type: "prometheus", uid: "${datasource}" } as const;

/** Every series of the chosen run and shards. A process without a shard label matches `.*`. */
export const RUN = 'run_id="$run_id",shard=~"$shard"';
/** `{run_id…,shard…,extra}` */
export const sel = (extra = "") => `{${RUN}${extra ? "," + extra : ""}}`;
export const RATE = "$__rate_interval";
/** The fleet's rate of a counter, summed over shards (`by` labels kept). */
export const rate = (metric: string, by = "", extra = "") =>
  `sum${by ? ` by (${by}) ` : ""}(rate(${metric}${sel(extra)}[${RATE}]))`;
/** The fleet's quantile of a latency histogram: the shards' buckets added up first. */
export const quantile = (q: number, metric: string, by = "", extra = "", range = RATE) =>
  `histogram_quantile(${q}, sum by (le${by ? ", " + by : ""}) (` +
  `${range === RATE ? "rate" : "increase"}(${metric}_bucket${sel(extra)}[${range}])))`;

/** One PromQL query: expression, legend, and whether it is evaluated once (at the range end). */
export interface Query {
  expr: string;
  legend: string;
  instant?: boolean;
  table?: boolean;
}
export const q = (expr: string, legend: string): Query => ({ expr, legend });
export const instant = (expr: string, legend: string): Query => ({ expr, legend, instant: true });

type PromTarget = {
  refId: string;
  datasource: typeof DS;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
  editorMode: "code";
  format: "time_series" | "table";
};

const targets = (queries: Query[]): PromTarget[] =>
  queries.map((x, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DS,
    expr: x.expr,
    legendFormat: x.legend,
    range: !x.instant,
    instant: !!x.instant,
    editorMode: "code",
    format: x.table ? "table" : "time_series",
  }));

/** What a panel shows besides its queries. */
export interface Look {
  unit: string;
  min?: number;
  max?: number;
  decimals?: number;
  /** A dashed red line (time series) or red colouring (stat) from this value on. */
  warnAt?: number;
  mappings?: Json<ValueMapping>[];
}

export type JsonPanel = Json<Panel>;

function fieldDefaults(look: Look) {
  return {
    unit: look.unit,
    min: look.min,
    max: look.max,
    decimals: look.decimals,
    mappings: look.mappings ?? [],
    thresholds: {
      mode: "absolute" as const,
      steps: look.warnAt === undefined
        ? [{ color: "green", value: null }]
        : [{ color: "green", value: null }, { color: "red", value: look.warnAt }],
    },
  };
}

/** The fields every panel starts with, in the order hls-swarm.json holds them. */
function panelHead(type: string, title: string, description: string, qs: Query[]) {
  return { type, title, description, datasource: DS, targets: targets(qs) };
}

export function timeseries(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
  const options: Json<TimeSeriesOptions> = {
    legend: { calcs: [], displayMode: "list", placement: "bottom", showLegend: true },
    tooltip: { mode: "multi", sort: "desc" },
  };
  const fieldConfig: Json<FieldConfigSource<GraphFieldConfig>> = {
    defaults: {
      ...fieldDefaults(look),
      color: { mode: "palette-classic" },
      custom: {
        drawStyle: "line",
        lineInterpolation: "linear",
        lineWidth: 1,
        fillOpacity: 10,
        showPoints: "never",
        spanNulls: false,
        axisPlacement: "auto",
        stacking: { mode: "none", group: "A" },
        thresholdsStyle: { mode: look.warnAt === undefined ? "off" : "dashed" },
      },
    },
    overrides: [],
  };
  return {
    ...panelHead("timeseries", title, description, qs),
    options,
    fieldConfig,
  };
}

export function stat(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
  const options: Json<StatOptions> = {
    reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    orientation: "auto",
    textMode: "value_and_name",
    colorMode: look.warnAt === undefined ? "none" : "value",
    graphMode: "none",
    justifyMode: "auto",
    wideLayout: true,
    showPercentChange: false,
    percentChangeColorMode: "standard",
  };
  return {
    ...panelHead("stat", title, description, qs),
    options,
    fieldConfig: {
      defaults: { ...fieldDefaults(look), color: { mode: "thresholds" } },
      overrides: [],
    },
  };
}

export function bargauge(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
  const options: Json<BarGaugeOptions> = {
    reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    orientation: "horizontal",
    displayMode: "basic",
    valueMode: "color",
    namePlacement: "auto",
    showUnfilled: true,
    sizing: "auto",
    minVizHeight: 16,
    minVizWidth: 8,
    maxVizHeight: 300,
    legend: { calcs: [], displayMode: "list", placement: "bottom", showLegend: false },
  };
  return {
    ...panelHead("bargauge", title, description, qs),
    options,
    fieldConfig: {
      defaults: { ...fieldDefaults(look), color: { mode: "palette-classic" } },
      overrides: [],
    },
  };
}

export function table(title: string, description: string, expr: string, hide: string[]): JsonPanel {
  const options: Json<TableOptions> = { frameIndex: 0, showHeader: true, cellHeight: "sm" };
  const custom: Json<TableFieldConfig> = {
    align: "auto",
    cellOptions: { type: "auto" },
    inspect: false,
  };
  return {
    ...panelHead("table", title, description, [{ expr, legend: "", instant: true, table: true }]),
    options,
    fieldConfig: { defaults: { unit: "none", custom }, overrides: [] },
    transformations: [{
      id: "organize",
      options: { excludeByName: Object.fromEntries(hide.map((k) => [k, true])) },
    }],
  };
}

/** One line of panels, side by side, of one height; widths add up to at most 24. */
export type Line = { h: number; panels: [number, JsonPanel][] };
/** A dashboard row: its title says which question it answers. */
export type Row = { title: string; lines: Line[] };
