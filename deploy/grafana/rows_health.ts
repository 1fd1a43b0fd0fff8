/**
 * The dashboard's rows about health: playback, restarts and exits, the pipeline, the load box
 * and the origin. Each row's title is the question it answers.
 * @module
 */
import { bargauge, instant, q, RATE, rate, type Row, sel, stat, timeseries } from "./panels.ts";

/**
 * Per shard, the share of all CPU seconds that `metric{extra}` counts: its rate over the rate of
 * every mode of the same machine's `*_cpu_seconds_total` (busy + idle).
 */
const cpuShare = (metric: string, extra = "") => {
  const all = metric.replace(/_steal_seconds_total$/, "_seconds_total");
  return `sum without (mode) (rate(${metric}${sel(extra)}[${RATE}])) / ` +
    `sum without (mode) (rate(${all}${sel()}[${RATE}]))`;
};

const ORIGIN_NOTE =
  "Only with --origin-metrics / --nginx-metrics: hls-swarm scrapes the origin's " +
  "exporters every --origin-metrics-interval and re-exports them. Every shard re-exports the " +
  "same origin, so this takes the max over shards, not the sum.";

/** Playback, restarts and exits, pipeline health, load box, origin: top to bottom. */
export const HEALTH_ROWS: Row[] = [
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
            "Measured from /proc/stat on the box running hls-swarm and its FFmpeg clients: " +
              "the rate of its busy CPU seconds over all CPU seconds, worst box of the shards. " +
              "At ≥ 95 % busy the box, not the origin, sets the figures. Steal is CPU time the " +
              "hypervisor gave elsewhere.",
            { unit: "percentunit", min: 0, max: 1, warnAt: 0.95 },
            [
              q(
                `max(${cpuShare("hlsswarm_loadbox_cpu_seconds_total", 'mode="busy"')})`,
                "busy (busiest box)",
              ),
              q(
                `max(${cpuShare("hlsswarm_loadbox_cpu_steal_seconds_total")})`,
                "steal (worst box)",
              ),
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
            "Measured by node_exporter on the origin: the rate of busy CPU seconds (all modes " +
              "but idle and iowait, from node_cpu_seconds_total) over all CPU seconds. " +
              ORIGIN_NOTE,
            { unit: "percentunit", min: 0, max: 1, warnAt: 0.9 },
            [q(`max(${cpuShare("hlsswarm_origin_cpu_seconds_total", 'mode="busy"')})`, "busy")],
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
            "Measured by node_exporter: the rate of its byte counters over every device but " +
              "loopback and virtual ones (so a loopback-only test shows 0), times 8. " +
              ORIGIN_NOTE,
            { unit: "bps", min: 0 },
            [q(
              `8 * max by (direction) (rate(hlsswarm_origin_network_bytes_total${sel()}[${RATE}]))`,
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
