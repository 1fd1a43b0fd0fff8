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
import type {
  Dashboard,
  FieldConfigSource,
  GraphFieldConfig,
  Panel,
  RowPanel,
  ValueMapping,
  VariableModel,
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
type Json<T> = T extends string ? `${T}`
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;

/** The schemaVersion of the Grafana the types come from (@grafana/schema 13.2). */
export const SCHEMA_VERSION = 42;

const DS = { type: "prometheus", uid: "${datasource}" } as const;

/** Every series of the chosen run and shards. A process without a shard label matches `.*`. */
const RUN = 'run_id="$run_id",shard=~"$shard"';
/** `{run_id…,shard…,extra}` */
const sel = (extra = "") => `{${RUN}${extra ? "," + extra : ""}}`;
const RATE = "$__rate_interval";
/** The fleet's rate of a counter, summed over shards (`by` labels kept). */
const rate = (metric: string, by = "", extra = "") =>
  `sum${by ? ` by (${by}) ` : ""}(rate(${metric}${sel(extra)}[${RATE}]))`;
/** The fleet's quantile of a latency histogram: the shards' buckets added up first. */
const quantile = (q: number, metric: string, by = "", extra = "", range = RATE) =>
  `histogram_quantile(${q}, sum by (le${by ? ", " + by : ""}) (` +
  `${range === RATE ? "rate" : "increase"}(${metric}_bucket${sel(extra)}[${range}])))`;

/** One PromQL query: expression, legend, and whether it is evaluated once (at the range end). */
interface Query {
  expr: string;
  legend: string;
  instant?: boolean;
  table?: boolean;
}
const q = (expr: string, legend: string): Query => ({ expr, legend });
const instant = (expr: string, legend: string): Query => ({ expr, legend, instant: true });

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
interface Look {
  unit: string;
  min?: number;
  max?: number;
  decimals?: number;
  /** A dashed red line (time series) or red colouring (stat) from this value on. */
  warnAt?: number;
  mappings?: Json<ValueMapping>[];
}

type JsonPanel = Json<Panel>;

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

function timeseries(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
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
    type: "timeseries",
    title,
    description,
    datasource: DS,
    targets: targets(qs),
    options,
    fieldConfig,
  };
}

function stat(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
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
    type: "stat",
    title,
    description,
    datasource: DS,
    targets: targets(qs),
    options,
    fieldConfig: {
      defaults: { ...fieldDefaults(look), color: { mode: "thresholds" } },
      overrides: [],
    },
  };
}

function bargauge(title: string, description: string, look: Look, qs: Query[]): JsonPanel {
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
    type: "bargauge",
    title,
    description,
    datasource: DS,
    targets: targets(qs),
    options,
    fieldConfig: {
      defaults: { ...fieldDefaults(look), color: { mode: "palette-classic" } },
      overrides: [],
    },
  };
}

function table(title: string, description: string, expr: string, hide: string[]): JsonPanel {
  const options: Json<TableOptions> = { frameIndex: 0, showHeader: true, cellHeight: "sm" };
  const custom: Json<TableFieldConfig> = {
    align: "auto",
    cellOptions: { type: "auto" },
    inspect: false,
  };
  return {
    type: "table",
    title,
    description,
    datasource: DS,
    targets: targets([{ expr, legend: "", instant: true, table: true }]),
    options,
    fieldConfig: { defaults: { unit: "none", custom }, overrides: [] },
    transformations: [{
      id: "organize",
      options: { excludeByName: Object.fromEntries(hide.map((k) => [k, true])) },
    }],
  };
}

/** One line of panels, side by side, of one height; widths add up to at most 24. */
type Line = { h: number; panels: [number, JsonPanel][] };
/** A dashboard row: its title says which question it answers. */
type Row = { title: string; lines: Line[] };

const MEASURED_FFMPEG = "Measured: counted from the lines FFmpeg writes (its request, " +
  "status and Content-Length lines at log level trace), per client, and summed over shards.";
const ORIGIN_NOTE =
  "Only with --origin-metrics / --nginx-metrics: hls-swarm scrapes the origin's " +
  "exporters every --origin-metrics-interval and re-exports them. Every shard re-exports the " +
  "same origin, so this takes the max over shards, not the sum.";

/** The dashboard's rows, top to bottom. */
export const ROWS: Row[] = [
  {
    title: "Clients: how many viewers did I ask for, and how many are really playing?",
    lines: [{
      h: 8,
      panels: [
        [
          14,
          timeseries(
            "Clients",
            "Measured. target: clients asked for (--clients, each shard's share summed). " +
              "started: clients started at least once (the ramp's progress). active: FFmpeg " +
              "processes running now (process state, not merely registered clients). with media: " +
              "clients whose FFmpeg decoded media at least once (from -progress). active below " +
              "target after the ramp means clients are exiting and restarting.",
            { unit: "short", min: 0, decimals: 0 },
            [
              q(`sum(hlsswarm_clients_target${sel()})`, "target"),
              q(`sum(hlsswarm_clients_started${sel()})`, "started"),
              q(`sum(hlsswarm_clients_active${sel()})`, "active (FFmpeg running)"),
              q(`sum(hlsswarm_clients_with_media${sel()})`, "with media"),
            ],
          ),
        ],
        [
          10,
          table(
            "Run",
            "Measured: hlsswarm_info of each hls-swarm process (shard) scraped: versions, the " +
              "stream (query redacted) and the HLS variant mapped.",
            `hlsswarm_info${sel()}`,
            ["Time", "Value", "__name__"],
          ),
        ],
      ],
    }, {
      h: 4,
      panels: [
        [
          6,
          stat(
            "hls-swarm processes reporting",
            "Measured: hls-swarm processes (shards) of this run whose /metrics Prometheus " +
              "scraped within its lookback (5 min). A sharded run shows all its shards.",
            { unit: "short", decimals: 0 },
            [q(`count(hlsswarm_info${sel()})`, "processes")],
          ),
        ],
        [
          6,
          stat(
            "Run started",
            "Measured: when the earliest hls-swarm process of this run started (its clock).",
            { unit: "dateTimeAsIso" },
            [q(`min(hlsswarm_run_start_time_seconds${sel()}) * 1000`, "started")],
          ),
        ],
        [
          6,
          stat(
            "Clients with media / target",
            "Measured: share of the asked-for clients whose FFmpeg decoded media at least once.",
            { unit: "percentunit", min: 0, max: 1 },
            [q(
              `sum(hlsswarm_clients_with_media${sel()}) / sum(hlsswarm_clients_target${sel()})`,
              "with media",
            )],
          ),
        ],
        [
          6,
          stat(
            "Target segment duration",
            "Configured, not measured (--target-duration): the segment duration stall " +
              "detection assumes; no progress for 1.5 of them marks a client stalled.",
            { unit: "s" },
            [q(`max(hlsswarm_target_duration_seconds${sel()})`, "target duration")],
          ),
        ],
      ],
    }],
  },
  {
    title: "Viewer experience: what did the audience see?",
    lines: [{
      h: 8,
      panels: [
        [
          6,
          timeseries(
            "Sessions started and failed, per minute",
            "Measured: a session is one FFmpeg run. started: media arrived. VSF (video start " +
              "failure): ended by an error before media. EBVS (exit before video start): " +
              "stopped by hls-swarm before media.",
            { unit: "short", min: 0 },
            [q(`60 * ${rate("hlsswarm_viewer_sessions_total", "outcome")}`, "{{outcome}}")],
          ),
        ],
        [
          6,
          timeseries(
            "Startup time",
            "Measured: first playlist request to the first media segment fully arrived " +
              "(FFmpeg does not render: time to a playable segment), of the sessions that " +
              "started in the interval.",
            { unit: "s", min: 0 },
            [
              q(quantile(0.5, "hlsswarm_viewer_startup_seconds"), "p50"),
              q(quantile(0.95, "hlsswarm_viewer_startup_seconds"), "p95"),
            ],
          ),
        ],
        [
          6,
          timeseries(
            "Rebuffering ratio",
            "Inferred by a virtual player per viewer: rebuffer time / (play + rebuffer time) " +
              "in the interval (Conviva's rebuffering ratio).",
            { unit: "percentunit", min: 0, warnAt: 0.005 },
            [q(
              `${rate("hlsswarm_viewer_rebuffer_seconds_total")} / ` +
                `${rate("hlsswarm_viewer_watch_seconds_total")}`,
              "rebuffering ratio",
            )],
          ),
        ],
        [
          6,
          timeseries(
            "Live latency",
            "Inferred from EXT-X-PROGRAM-DATE-TIME: wall clock minus the program date-time of " +
              "the newest media a viewer holds, one sample per viewer per second. No data " +
              "when the playlists carry no program date-time.",
            { unit: "s", min: 0 },
            [
              q(quantile(0.5, "hlsswarm_viewer_live_latency_seconds"), "p50"),
              q(quantile(0.95, "hlsswarm_viewer_live_latency_seconds"), "p95"),
            ],
          ),
        ],
      ],
    }],
  },
  {
    title: "Traffic: what did the clients fetch?",
    lines: [{
      h: 8,
      panels: [
        [
          8,
          timeseries(
            "Requests/s by kind",
            MEASURED_FFMPEG + " One request per FFmpeg `request: GET` line, retries included, by " +
              "kind: manifest (.m3u8), segment, init, other. Replayed against nginx's access log " +
              "the counts match.",
            { unit: "reqps", min: 0 },
            [q(rate("hlsswarm_requests_total", "kind"), "{{kind}}")],
          ),
        ],
        [
          8,
          timeseries(
            "Throughput by kind (bits/s)",
            MEASURED_FFMPEG + " Body bytes of 2xx responses from their Content-Length (the same " +
              "figure as nginx's $body_bytes_sent), times 8.",
            { unit: "bps", min: 0 },
            [q(`8 * ${rate("hlsswarm_downloaded_bytes_total", "kind")}`, "{{kind}}")],
          ),
        ],
        [
          8,
          timeseries(
            "Responses/s by status",
            MEASURED_FFMPEG + " One per http_code (or HTTP error) line FFmpeg logs.",
            { unit: "reqps", min: 0 },
            [q(rate("hlsswarm_responses_total", "status"), "{{status}}")],
          ),
        ],
      ],
    }],
  },
  {
    title: "Errors: did requests fail?",
    lines: [{
      h: 8,
      panels: [
        [
          8,
          timeseries(
            "Failed requests/s: status ≥ 400 and no response",
            MEASURED_FFMPEG + " Responses with status ≥ 400 by status and kind, and requests " +
              "that got no status line at all (the socket closed or timed out first).",
            { unit: "reqps", min: 0 },
            [
              q(
                rate("hlsswarm_responses_total", "status, kind", 'status=~"[4-9].."'),
                "{{status}} {{kind}}",
              ),
              q(rate("hlsswarm_events_total", "", 'event="unanswered_requests"'), "no response"),
            ],
          ),
        ],
        [
          8,
          timeseries(
            "Error rate",
            "Computed from measured counts, as the exit summary's error_rate: (responses ≥ 400 + " +
              "requests with no response) / requests.",
            { unit: "percentunit", min: 0, warnAt: 0.01 },
            [q(
              `((${rate("hlsswarm_responses_total", "", 'status=~"[4-9].."')} or vector(0)) + ` +
                `${rate("hlsswarm_events_total", "", 'event="unanswered_requests"')}) / ` +
                rate("hlsswarm_requests_total"),
              "error rate",
            )],
          ),
        ],
        [
          8,
          timeseries(
            "HLS and network events/s",
            "Measured: events FFmpeg reports on stderr: segments failed, skipped and expired, " +
              "failed playlist reloads, sequence skips, timeouts, reconnects, keep-alive retries, " +
              "TCP refusals and timeouts, requests with no response (tcp_connected, not an error, " +
              "is left out).",
            { unit: "cps", min: 0 },
            [q(rate("hlsswarm_events_total", "event", 'event!="tcp_connected"'), "{{event}}")],
          ),
        ],
      ],
    }],
  },
  {
    title: "Latency: how fast did the origin answer?",
    lines: [{
      h: 8,
      panels: [
        [
          12,
          timeseries(
            "Time to first byte p50 / p95 / p99 by kind",
            "Measured: from FFmpeg's request line to its status line, timed at line arrival " +
              "(FFmpeg 5.1 cannot timestamp its lines), so it includes the pipe's latency. " +
              "Quantiles of the fleet: the shards' histograms (20 buckets per decade, each 12 % " +
              "wider than the last) are added up first. Prometheus interpolates inside a bucket, " +
              "so expect a few percent of difference from the exit summary's percentiles.",
            { unit: "s", min: 0 },
            [0.5, 0.95, 0.99].map((p) =>
              q(quantile(p, "hlsswarm_ttfb_seconds", "kind"), `p${p * 100} {{kind}}`)
            ),
          ),
        ],
        [
          6,
          timeseries(
            "Segment download time p50 / p95 (inferred)",
            "Inferred, not measured: FFmpeg logs no end-of-body line, so this is the time from " +
              "the response headers to the last packet FFmpeg demuxed before its next request.",
            { unit: "s", min: 0 },
            [0.5, 0.95].map((p) =>
              q(quantile(p, "hlsswarm_segment_download_inferred_seconds"), `p${p * 100} (inferred)`)
            ),
          ),
        ],
        [
          6,
          timeseries(
            "TCP connect time p50 / p95",
            "Measured: FFmpeg's `Starting connection attempt` to `Successfully connected`, paired " +
              "by FFmpeg context, timed at line arrival. Keep-alive makes connects rare, so gaps " +
              "are windows without one.",
            { unit: "s", min: 0 },
            [0.5, 0.95].map((p) => q(quantile(p, "hlsswarm_tcp_connect_seconds"), `p${p * 100}`)),
          ),
        ],
      ],
    }, {
      h: 5,
      panels: [
        [
          12,
          stat(
            "Segment time to first byte over the time range",
            "Measured (see the TTFB panel), over the whole selected time range: the fleet's " +
              "histogram increase. For a range that spans the run, this is the exit summary's " +
              "segment TTFB within a few percent (bucket interpolation).",
            { unit: "s" },
            [0.5, 0.95, 0.99].map((p) =>
              instant(
                quantile(p, "hlsswarm_ttfb_seconds", "", 'kind="segment"', "$__range"),
                `p${p * 100}`,
              )
            ),
          ),
        ],
        [
          12,
          stat(
            "Segment download time over the time range (inferred)",
            "Inferred (see the download panel), over the whole selected time range.",
            { unit: "s" },
            [0.5, 0.95].map((p) =>
              instant(
                quantile(p, "hlsswarm_segment_download_inferred_seconds", "", "", "$__range"),
                `p${p * 100} (inferred)`,
              )
            ),
          ),
        ],
      ],
    }],
  },
  {
    title: "Playback: are the viewers keeping up?",
    lines: [{
      h: 8,
      panels: [
        [
          6,
          timeseries(
            "Playback state",
            "Measured from FFmpeg's -progress output. keeping up: media advanced ≥ 0.9x real " +
              "time over ≥ 5 s. falling behind: < 0.9x. stalled: < 0.9x over ≥ 5 s, or no " +
              "progress for 1.5 target durations. high drift: more than 5 s behind real time.",
            { unit: "short", min: 0, decimals: 0 },
            [
              q(`sum(hlsswarm_clients_keeping_up${sel()})`, "keeping up"),
              q(`sum(hlsswarm_clients_falling_behind${sel()})`, "falling behind"),
              q(`sum(hlsswarm_clients_stalled${sel()})`, "stalled"),
              q(`sum(hlsswarm_clients_high_drift${sel()})`, "high drift (> 5 s)"),
            ],
          ),
        ],
        [
          6,
          timeseries(
            "Average playback speed",
            "Measured from -progress: media gained per wall second over the last ≥ 5 s, " +
              "averaged over the clients that have one (sum / clients, so shards add up). " +
              "1 = real time; below 0.9 counts as falling behind.",
            { unit: "suffix:x", min: 0, decimals: 2, warnAt: 0.9 },
            [q(
              `sum(hlsswarm_playback_speed_sum_ratio${sel()}) / ` +
                `sum(hlsswarm_playback_speed_clients${sel()})`,
              "average speed",
            )],
          ),
        ],
        [
          6,
          timeseries(
            "Drift behind real time",
            "Measured from -progress: how far playback fell behind real time in each client's " +
              "current FFmpeg run (the start-up catch-up counts as 0). average: sum / clients " +
              "with a drift; max: the largest seen in any run.",
            { unit: "s", min: 0, warnAt: 5 },
            [
              q(
                `sum(hlsswarm_drift_sum_seconds${sel()}) / sum(hlsswarm_drift_clients${sel()})`,
                "average",
              ),
              q(`max(hlsswarm_drift_max_seconds${sel()})`, "max"),
            ],
          ),
        ],
        [
          6,
          timeseries(
            "Stall episodes per minute",
            "Measured: times a client entered the stalled state, per minute.",
            { unit: "short", min: 0 },
            [q(`60 * ${rate("hlsswarm_stall_episodes_total")}`, "stall episodes")],
          ),
        ],
      ],
    }],
  },
  {
    title: "Restarts and exits: are FFmpeg processes dying?",
    lines: [{
      h: 8,
      panels: [
        [
          8,
          timeseries(
            "FFmpeg starts and restarts per minute",
            "Measured (process state): FFmpeg process starts, restarts included, and restarts " +
              "alone (a start after an earlier run of the same client ended).",
            { unit: "short", min: 0 },
            [
              q(`60 * ${rate("hlsswarm_client_starts_total")}`, "starts"),
              q(`60 * ${rate("hlsswarm_client_restarts_total")}`, "restarts"),
            ],
          ),
        ],
        [
          8,
          timeseries(
            "FFmpeg exits per minute by cause",
            "Measured (process state): FFmpeg exits by cause and exit code. shutdown and restart " +
              "causes were asked for by hls-swarm; unexpected ones were not (crashes, kills, " +
              "FFmpeg giving up).",
            { unit: "short", min: 0 },
            [q(
              `60 * ${rate("hlsswarm_client_exits_total", "cause, code")}`,
              "{{cause}} (exit {{code}})",
            )],
          ),
        ],
        [
          8,
          bargauge(
            "FFmpeg exits by cause, in total",
            "Measured (process state): exits since each hls-swarm process started, summed over " +
              "shards, at the end of the time range.",
            { unit: "short", min: 0, decimals: 0 },
            [instant(
              `sum by (cause, code) (hlsswarm_client_exits_total${sel()})`,
              "{{cause}} (exit {{code}})",
            )],
          ),
        ],
      ],
    }],
  },
  {
    title: "Pipeline health: can the figures be trusted?",
    lines: [{
      h: 8,
      panels: [
        [
          8,
          timeseries(
            "Dropped FFmpeg output lines (share of read) by stream",
            "Measured: lines hls-swarm dropped because parsing fell behind (lossy by design, " +
              "reading never waits), as a share of lines read. Above 0, the figures parsed " +
              "from those lines undercount.",
            { unit: "percentunit", min: 0, warnAt: 0.01 },
            [q(
              `${rate("hlsswarm_stats_lines_dropped_total", "stream")} / ` +
                rate("hlsswarm_stats_lines_read_total", "stream"),
              "{{stream}}",
            )],
          ),
        ],
        [
          8,
          timeseries(
            "FFmpeg output lines/s by stream",
            "Measured: lines read from FFmpeg (progress on stdout, log on stderr) and parsed.",
            { unit: "cps", min: 0 },
            [
              q(rate("hlsswarm_stats_lines_read_total", "stream"), "read {{stream}}"),
              q(rate("hlsswarm_stats_lines_parsed_total", "stream"), "parsed {{stream}}"),
            ],
          ),
        ],
        [
          8,
          timeseries(
            "Degraded clients",
            "Measured: clients whose dropped-line share exceeds --stats-drop-threshold; their " +
              "counts undercount.",
            { unit: "short", min: 0, decimals: 0, warnAt: 1 },
            [q(`sum(hlsswarm_stats_clients_degraded${sel()})`, "degraded clients")],
          ),
        ],
      ],
    }],
  },
  {
    title: "Load box: was my own box the bottleneck?",
    lines: [{
      h: 8,
      panels: [
        [
          8,
          timeseries(
            "Load box CPU: busy and steal",
            "Measured from /proc/stat each second on the box running hls-swarm and its FFmpeg " +
              "clients, worst box of the shards. At ≥ 95 % busy the box, not the origin, sets " +
              "the figures. Steal is CPU time the hypervisor gave elsewhere.",
            { unit: "percentunit", min: 0, max: 1, warnAt: 0.95 },
            [
              q(`max(hlsswarm_loadbox_cpu_ratio${sel()})`, "busy (busiest box)"),
              q(`max(hlsswarm_loadbox_cpu_steal_ratio${sel()})`, "steal (worst box)"),
            ],
          ),
        ],
        [
          8,
          timeseries(
            "hls-swarm event-loop lag",
            "Measured: the largest lateness of hls-swarm's 100 ms timer in the last second, " +
              "worst shard. At ≥ 200 ms, line arrival times (TTFB, connect) carry that delay.",
            { unit: "s", min: 0, warnAt: 0.2 },
            [q(`max(hlsswarm_loadbox_loop_lag_seconds${sel()})`, "loop lag (worst box)")],
          ),
        ],
        [
          8,
          timeseries(
            "Load boxes saturated",
            "Measured: shards whose last second saturated their box (CPU ≥ 95 %, loop lag ≥ " +
              "200 ms or memory under 5 % free). While any is, its figures reflect the load box, " +
              "not the origin, and its ramp holds new starts.",
            { unit: "short", min: 0, decimals: 0, warnAt: 1 },
            [q(`sum(hlsswarm_loadbox_saturated${sel()})`, "saturated boxes")],
          ),
        ],
      ],
    }, {
      h: 8,
      panels: [
        [
          6,
          stat(
            "Saturated seconds over the time range",
            "Measured: seconds in which a load box was saturated, summed over shards, over the " +
              "selected time range. Anything but 0: read the other figures of those seconds " +
              "as the load box's, not the origin's.",
            { unit: "s", decimals: 0, warnAt: 1 },
            [instant(
              `sum(increase(hlsswarm_loadbox_saturated_seconds_total${sel()}[$__range]))`,
              "saturated",
            )],
          ),
        ],
        [
          6,
          timeseries(
            "Load box memory available",
            "Measured: MemAvailable of the load box, smallest of the shards.",
            { unit: "bytes", min: 0 },
            [q(`min(hlsswarm_loadbox_memory_available_bytes${sel()})`, "available (smallest box)")],
          ),
        ],
        [
          6,
          timeseries(
            "hls-swarm process CPU",
            "Measured from /proc: CPU time of the hls-swarm processes themselves (not their " +
              "FFmpeg children), 100 % = one core, summed over shards.",
            { unit: "percentunit", min: 0 },
            [q(rate("process_cpu_seconds_total"), "hls-swarm CPU")],
          ),
        ],
        [
          6,
          timeseries(
            "hls-swarm process memory",
            "Measured: resident memory and V8 heap in use of the hls-swarm processes, summed " +
              "over shards (not their FFmpeg children).",
            { unit: "bytes", min: 0 },
            [
              q(`sum(process_resident_memory_bytes${sel()})`, "resident"),
              q(`sum(deno_heap_used_bytes${sel()})`, "V8 heap used"),
            ],
          ),
        ],
      ],
    }],
  },
  {
    title: "Origin: how did the origin itself fare?",
    lines: [{
      h: 8,
      panels: [
        [
          5,
          timeseries(
            "Origin CPU busy",
            "Measured by node_exporter on the origin: 1 - delta(idle + iowait) / delta(all) " +
              "of node_cpu_seconds_total between scrapes. " + ORIGIN_NOTE,
            { unit: "percentunit", min: 0, max: 1, warnAt: 0.9 },
            [q(`max(hlsswarm_origin_cpu_busy_ratio${sel()})`, "busy")],
          ),
        ],
        [
          5,
          timeseries(
            "Origin memory",
            "Measured by node_exporter: used = MemTotal - MemAvailable, and total. " + ORIGIN_NOTE,
            { unit: "bytes", min: 0 },
            [q(`max by (state) (hlsswarm_origin_memory_bytes${sel()})`, "{{state}}")],
          ),
        ],
        [
          5,
          timeseries(
            "Origin network (bits/s)",
            "Measured by node_exporter: counter deltas between scrapes over every device but " +
              "loopback and virtual ones (so a loopback-only test shows 0), times 8. " +
              ORIGIN_NOTE,
            { unit: "bps", min: 0 },
            [q(
              `8 * max by (direction) (hlsswarm_origin_network_bytes_per_second${sel()})`,
              "{{direction}}",
            )],
          ),
        ],
        [
          5,
          timeseries(
            "nginx connections",
            "Measured by the nginx exporter (stub_status): connections by state. " + ORIGIN_NOTE,
            { unit: "short", min: 0, decimals: 0 },
            [q(`max by (state) (hlsswarm_origin_nginx_connections${sel()})`, "{{state}}")],
          ),
        ],
        [
          4,
          stat(
            "Origin exporters",
            "Measured: whether hls-swarm's latest scrape of each exporter succeeded (worst " +
              "shard). While one fails, its panels show the last good values.",
            {
              unit: "none",
              mappings: [{
                type: "value",
                options: {
                  "0": { text: "failing", color: "red" },
                  "1": { text: "up", color: "green" },
                },
              }],
            },
            [q(`min by (source) (hlsswarm_origin_source_up${sel()})`, "{{source}}")],
          ),
        ],
      ],
    }],
  },
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
