/**
 * The summary's "Viewer experience" section: what the audience saw, first, before requests.
 * Every row says whether it is measured or inferred (see {@link ../viewer/report.ts}).
 * @module
 */
import type { ViewerReport } from "../viewer/report.ts";
import { formatBitrate, formatDuration, formatMs, formatPercent } from "./format.ts";

const THIN = "─".repeat(79);

/**
 * The section's lines.
 *
 * @example
 * ```ts
 * import { ViewerStats } from "../viewer/stats.ts";
 * import { viewerReport } from "../viewer/report.ts";
 * formatViewerExperience(viewerReport(new ViewerStats().toWire()), 2000);
 * ```
 */
export function formatViewerExperience(v: ViewerReport, playerBufferMs: number): string[] {
  const row = (label: string, value: string | number) => `  ${label.padEnd(24)}${value}`;
  const share = (x: number | null) => (x === null ? "n/a" : formatPercent(x));
  const pcts = (p: ViewerReport["startupMs"]) =>
    p.count === 0
      ? "n/a (no sample)"
      : `p50 ${formatMs(p.p50)}, p95 ${formatMs(p.p95)}, p99 ${formatMs(p.p99)}, max ${
        formatMs(p.max)
      }`;
  const s = v.sessions;
  return [
    "",
    "Viewer experience (a session is one FFmpeg run of one client)",
    THIN,
    row(
      "Sessions:",
      `${v.attempts} (${s.started} started, ${s.vsf} failed to start, ` +
        `${s.ebvs} stopped before media)`,
    ),
    row("Start failures (VSF):", `${s.vsf} (${share(v.vsfRate)} of attempts; measured)`),
    row("Exits before start:", `${s.ebvs} (${share(v.ebvsRate)}; EBVS, measured)`),
    row("Startup time:", pcts(v.startupMs)),
    "    (measured: first playlist request → first media segment fully arrived; FFmpeg does",
    "     not render, so this is time to a playable segment, not to a frame on a screen)",
    row(
      "Rebuffered sessions:",
      `${v.rebufferedSessions} (${share(v.rebufferedShare)} of started; ${v.rebuffers} rebuffers)`,
    ),
    row(
      "Rebuffering ratio:",
      `${share(v.rebufferRatio)} (${formatDuration(Math.round(v.rebufferMs))} of ` +
        `${formatDuration(Math.round(v.watchMs))} watched)`,
    ),
    `    (inferred: a virtual player per viewer, playing received media in real time after a ` +
    `${formatDuration(playerBufferMs)}`,
    "     startup buffer, stalling when it runs dry, resuming once it has refilled)",
    row(
      "Live latency:",
      v.liveLatencyMs.count === 0
        ? "unknown (the playlists carry no EXT-X-PROGRAM-DATE-TIME FFmpeg logged)"
        : pcts(v.liveLatencyMs),
    ),
    ...(v.liveLatencyMs.count === 0 ? [] : [
      "    (inferred: wall clock − program date-time end of the newest segment held; FFmpeg tells",
      "     of an arrival when it asks for the next segment, so each sample is of two segments ago)",
    ]),
    row("Expired segments:", `${v.expiredSegments} (left the playlist before fetched; measured)`),
    row(
      "Delivered bitrate:",
      v.bitrate === null ? "n/a" : `${formatBitrate(v.bitrate / 8)} (media bytes / media time)`,
    ),
  ];
}
