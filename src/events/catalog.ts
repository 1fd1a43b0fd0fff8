/**
 * The event catalog: one row per counted FFmpeg event. The counters in every snapshot, the
 * `hlsswarm_events_total{event}` series, the summary's and the dashboard's error rows and the
 * count thresholds are all derived from this table, so a new FFmpeg message touches the parser
 * (which emits `{ type: "count", key }`) and one row here.
 * @module
 */

/** One counted event. */
export interface EventRow {
  /** The counter's key in snapshots and the JSON summary. */
  readonly key: string;
  /** The `event` label of `hlsswarm_events_total`. */
  readonly metric: string;
  /** The row label in the text summary. */
  readonly summary: string;
  /** The dashboard's label, when the errors panel lists it. */
  readonly tui?: string;
  /** The threshold figure name (`--threshold NAME<N`), when the count can fail a run. */
  readonly threshold?: string;
  /** What is counted and from which FFmpeg line; the metric's and the threshold's help. */
  readonly help: string;
  /** "bytes": a count of bytes, not of events, exported as its own `hlsswarm_METRIC_total`
   * counter outside `hlsswarm_events_total` (a sum over that family would add bytes to events). */
  readonly unit?: "bytes";
}

/** Every counted event, in the order the summary lists them. */
export const EVENTS = [
  {
    key: "unanswered",
    metric: "unanswered_requests",
    summary: "No response:",
    tui: "no response",
    threshold: "unanswered_requests",
    help: "requests that got no status line (the socket closed or timed out first)",
  },
  {
    key: "untimedRequests",
    metric: "untimed_requests",
    summary: "Untimed (lines lost):",
    tui: "untimed (lines lost)",
    help: "requests whose output lines were dropped between request and status: counted, " +
      "but no TTFB or download time is built across the gap",
  },
  {
    key: "segmentsFailed",
    metric: "segments_failed",
    summary: "Segments failed:",
    tui: "segments failed",
    threshold: "segments_failed",
    help: "segments FFmpeg failed to open ([hls] Failed to open segment)",
  },
  {
    key: "segmentsSkipped",
    metric: "segments_skipped",
    summary: "Segments skipped:",
    tui: "segments skipped",
    threshold: "segments_skipped",
    help: "segments FFmpeg gave up on after its retries ([hls] Segment … failed too many times)",
  },
  {
    key: "playlistsFailed",
    metric: "playlists_failed",
    summary: "Playlists failed:",
    tui: "playlist reloads failed",
    threshold: "playlists_failed",
    help: "failed playlist reloads ([hls] Failed to reload playlist)",
  },
  {
    key: "segmentsExpired",
    metric: "segments_expired",
    summary: "Segments expired:",
    tui: "segments expired",
    threshold: "segments_expired",
    help: "segments lost because they left the playlist before the client fetched them: " +
      "the N of each sequence skip ([hls] skipping N segments ahead, expired from playlists)",
  },
  {
    key: "sequenceSkips",
    metric: "sequence_skips",
    summary: "Sequence skips:",
    tui: "sequence skips",
    threshold: "sequence_skips",
    help: "times a client jumped ahead in the media sequence because the segments it needed " +
      "had expired ([hls] skipping N segments ahead); a playlist window that moved by more " +
      "than one between two reloads is not counted, as the client still fetches every segment",
  },
  {
    key: "timeouts",
    metric: "timeouts",
    summary: "Timeouts:",
    tui: "timeouts",
    threshold: "timeouts",
    help: "network timeouts (keep-alive requests that timed out)",
  },
  {
    key: "reconnects",
    metric: "reconnects",
    summary: "Reconnects:",
    tui: "reconnects",
    threshold: "reconnects",
    help: "HTTP reconnects ([http] Will reconnect at …)",
  },
  {
    key: "keepaliveRetries",
    metric: "keepalive_retries",
    summary: "Keep-alive retries:",
    tui: "keep-alive retries",
    help:
      "keep-alive requests FFmpeg retried on a new connection: after an error ([hls] keepalive request failed), or re-sent at once because the origin had closed the connection (counted once as a request)",
  },
  {
    key: "tcpConnected",
    metric: "tcp_connected",
    summary: "TCP connects:",
    help: "TCP connections made ([tcp] Successfully connected)",
  },
  {
    key: "tcpRefused",
    metric: "tcp_refused",
    summary: "TCP refused:",
    tui: "TCP refused",
    threshold: "tcp_refused",
    help: "TCP connection attempts refused",
  },
  {
    key: "tcpTimeouts",
    metric: "tcp_timeouts",
    summary: "TCP timed out:",
    tui: "TCP timed out",
    threshold: "tcp_timeouts",
    help: "TCP connection attempts that timed out",
  },
  {
    key: "tcpErrors",
    metric: "tcp_errors",
    summary: "TCP other errors:",
    tui: "TCP errors",
    help: "TCP connection attempts that failed otherwise",
  },
  {
    key: "parserErrors",
    metric: "parser_errors",
    summary: "Parser errors:",
    tui: "parser errors",
    threshold: "parser_errors",
    help: "FFmpeg output lines a parser threw on: skipped, counted here and logged once per " +
      "kind of error (`parser_error`, the line redacted and cut short); reading goes on",
  },
  {
    key: "inFlightAtStop",
    metric: "in_flight_at_stop",
    summary: "In flight at the stop:",
    help: "2xx responses whose body the origin was still sending when hls-swarm stopped " +
      "FFmpeg (inferred: cut short by FFmpeg's exit statistics, at an origin that took over " +
      "100 ms per segment); only the part FFmpeg received is in the bytes total",
  },
  {
    key: "inFlightBytesAtStop",
    metric: "in_flight_at_stop_missing_bytes",
    summary: "In flight, bytes missing:",
    unit: "bytes",
    help: "bytes the in-flight-at-stop responses announced (Content-Length) but FFmpeg had not " +
      "received when it exited (its exit statistics); kept out of the bytes total",
  },
] as const satisfies readonly EventRow[];

/** A counter's key. */
export type EventKey = typeof EVENTS[number]["key"];

/** Every counter, by key. */
export type EventCounts = Record<EventKey, number>;

/** The catalog's keys, in order. */
export const EVENT_KEYS: readonly EventKey[] = EVENTS.map((e) => e.key);

/**
 * A fresh set of counters, all zero.
 *
 * @example
 * ```ts
 * const counts = zeroEventCounts();
 * counts.segmentsFailed++;
 * ```
 */
export function zeroEventCounts(): EventCounts {
  return Object.fromEntries(EVENT_KEYS.map((k) => [k, 0])) as EventCounts;
}
