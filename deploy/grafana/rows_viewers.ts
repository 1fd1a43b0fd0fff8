/**
 * The dashboard's rows about the viewers and their requests: clients, viewer experience,
 * traffic, errors and latency. Each row's title is the question it answers.
 * @module
 */
import { instant, q, quantile, rate, type Row, sel, stat, table, timeseries } from "./panels.ts";

const MEASURED_FFMPEG = "Measured: counted from the lines FFmpeg writes (its request, " +
  "status and Content-Length lines at log level trace), per client, and summed over shards.";

/** Clients, viewer experience, traffic, errors, latency: top to bottom. */
export const VIEWER_ROWS: Row[] = [
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
];
