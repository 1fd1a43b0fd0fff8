/**
 * The flags of what runs: orchestration, variant selection, network and FFmpeg. Part of the
 * one flag table ({@link ./flags.ts}).
 * @module
 */
import { DEFAULT_USER_AGENT, type FlagSpec } from "./flag_spec.ts";

/** Flags that shape the clients and how they run. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  // Orchestration
  {
    name: "clients",
    short: "c",
    kind: "value",
    arg: "<n>",
    default: "10",
    alias: "CLIENTS",
    group: "Orchestration",
    help: "number of concurrent FFmpeg clients (viewers)",
  },
  {
    name: "ramp-rate",
    kind: "value",
    arg: "<n>",
    default: "5",
    alias: "RAMP_RATE",
    group: "Orchestration",
    help: "clients started per second (starts are scheduled on absolute times)",
  },
  {
    name: "ramp-jitter",
    kind: "value",
    arg: "<duration>",
    default: "200ms",
    alias: "RAMP_JITTER",
    group: "Orchestration",
    help: "random extra delay per client start, at most half the start interval; with " +
      "--stages or --session-duration per join, at most half the time between the target's " +
      "steps (deterministic per client id and session, never adding up)",
  },
  {
    name: "stages",
    kind: "value",
    arg: "<d:n,…>",
    group: "Orchestration",
    help: "target viewers over time, k6-style: 5m:2000,10m:2000,1m:10000,2m:0 moves linearly to " +
      "each target over its duration; the peak is the viewer count (not with --clients or " +
      "--ramp-rate); without --duration the run ends with the last stage",
  },
  {
    name: "session-duration",
    kind: "value",
    arg: "<dist>",
    group: "Orchestration",
    help: "how long each viewer watches before it leaves (a new one takes its place while the " +
      "target asks): fixed:60s, uniform:30s-90s, exp:60s (mean), lognormal:45s,0.8 (median, " +
      "sigma) or lognormal:mean=60s,sd=40s; default: until the run ends",
  },
  {
    name: "duration",
    short: "d",
    kind: "value",
    arg: "<duration>",
    default: "0",
    alias: "DURATION",
    group: "Orchestration",
    help: "how long to run, e.g. 30s or 5m; 0 runs until interrupted",
  },
  {
    name: "shutdown-grace",
    kind: "value",
    arg: "<duration>",
    default: "5s",
    alias: "SHUTDOWN_GRACE",
    group: "Orchestration",
    help: "time FFmpeg gets to exit after SIGTERM before SIGKILL",
  },
  {
    name: "workers",
    kind: "value",
    arg: "<n>",
    default: "auto",
    group: "Orchestration",
    help: "worker threads that read and parse the clients' output; auto is one per 200 " +
      "clients, at most one per core; 0 runs them on the main thread",
  },
  {
    name: "line-reader",
    kind: "value",
    arg: "<reader>",
    default: "auto",
    group: "Orchestration",
    choices: ["auto", "native", "deno"],
    help: "who reads FFmpeg's output: native is hls-swarm-fanin (make native; HLS_SWARM_FANIN " +
      "names it), less than half the CPU per line; deno reads the pipes itself; auto takes " +
      "native when it is found",
  },
  {
    name: "shard",
    kind: "value",
    arg: "<i/n>",
    group: "Orchestration",
    help: "run shard I of N: clients [floor(I*C/N), floor((I+1)*C/N)) of --clients C, " +
      "ramping at that share of --ramp-rate; client ids stay global",
  },
  {
    name: "shards",
    kind: "value",
    arg: "<n>",
    group: "Orchestration",
    help:
      "the shard count when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)",
  },
  {
    name: "start-at",
    kind: "value",
    arg: "<time>",
    group: "Orchestration",
    help: "RFC 3339 time to start the ramp at, after preflight (shards of one run start together)",
  },
  {
    name: "start-tolerance",
    kind: "value",
    arg: "<duration>",
    default: "30s",
    group: "Orchestration",
    help: "a shard reaching --start-at later than this exits 4 instead of running late",
  },
  // Variant selection
  {
    name: "variant",
    kind: "value",
    arg: "<mode>",
    default: "all",
    alias: "VARIANT",
    group: "Variant selection",
    choices: ["all", "highest", "lowest", "first"],
    help: "which variant each client pulls; highest/lowest ask ffprobe once at start",
  },
  {
    name: "variant-mix",
    kind: "value",
    arg: "<mix>",
    group: "Variant selection",
    help: "spread viewers over renditions by client id, e.g. 1080p=20%,720p=50%,360p=30% " +
      "(by height, WxH, bandwidth 2.5M/950k or index v0; ffprobe reads the master once; a " +
      "rendition the master lacks is exit 2)",
  },
  {
    name: "probe-failure-policy",
    kind: "value",
    arg: "<policy>",
    default: "fallback",
    alias: "PROBE_FAILURE_POLICY",
    group: "Variant selection",
    choices: ["fallback", "fail"],
    help: "when ffprobe fails: fall back to the first variant, or stop with exit 1",
  },
  {
    name: "probe-timeout",
    kind: "value",
    arg: "<duration>",
    default: "10s",
    group: "Variant selection",
    help: "how long ffprobe may take to read the master playlist",
  },
  // Network
  {
    name: "resolve",
    kind: "list",
    arg: "<host:port:ip[,ip…]>",
    alias: "RESOLVE_IP",
    group: "Network",
    help: "connect to these addresses instead of DNS's, as curl's --resolve (repeatable; a bare " +
      "IP: the stream's host): each viewer keeps one, round robin by client id, IP*3 weighs " +
      "one. Host header and https certificate name stay the URL's (-verifyhost), but FFmpeg " +
      "sends no SNI to an address",
  },
  {
    name: "resolve-dns",
    kind: "bool",
    group: "Network",
    help: "each viewer looks the stream's host up once itself when it first starts (A, else " +
      "AAAA), takes the first answer and keeps it for all its sessions and restarts, so a GSLB " +
      "that answers per query spreads the viewers; as --resolve, Host and the https name stay " +
      "the URL's (no SNI to an address). Asks DNS only: /etc/hosts is not read. Not with --resolve",
  },
  {
    name: "dns-server",
    kind: "value",
    arg: "<ip[:port]>",
    group: "Network",
    help: "the resolver --resolve-dns asks instead of the system's (like dig @server; port 53 " +
      "by default)",
  },
  {
    name: "ca-file",
    kind: "value",
    arg: "<file>",
    group: "Network",
    help: "a PEM CA trusted besides the system bundle, by clients, probe and preflight " +
      "(a private CA or a self-signed origin)",
  },
  {
    name: "no-cache",
    kind: "bool",
    alias: "NO_CACHE",
    group: "Network",
    help: "send Cache-Control: no-cache and Pragma: no-cache",
  },
  {
    name: "header",
    kind: "list",
    arg: "<header>",
    alias: "HEADERS",
    group: "Network",
    help: "extra HTTP header 'Name: value' (repeatable; HEADERS takes one per line)",
  },
  {
    name: "cmcd",
    kind: "bool",
    group: "Network",
    help: 'every client sends CMCD-Session: sid="<run id>-<client id>" (CTA-5004), so a CDN ' +
      "that parses CMCD logs the viewer; off by default: one more header on every request, " +
      "which some origins reject or vary their cache on",
  },
  {
    name: "user-agent",
    kind: "value",
    arg: "<ua>",
    default: DEFAULT_USER_AGENT,
    alias: "USER_AGENT",
    group: "Network",
    help: "User-Agent base; every client appends /client-<id>",
  },
  {
    name: "timeout",
    kind: "value",
    arg: "<duration>",
    default: "15s",
    alias: "TIMEOUT",
    group: "Network",
    help: "network read/write timeout (FFmpeg -rw_timeout)",
  },
  // FFmpeg
  {
    name: "ffmpeg",
    kind: "value",
    arg: "<path>",
    default: "ffmpeg",
    alias: "FFMPEG",
    group: "FFmpeg",
    help: "FFmpeg binary (ffprobe is looked up beside it)",
  },
  {
    name: "reconnect",
    kind: "bool",
    default: "true",
    alias: "RECONNECT",
    group: "FFmpeg",
    help: "let FFmpeg reconnect after network errors (--reconnect=false to disable)",
  },
  {
    name: "reconnect-delay",
    kind: "value",
    arg: "<seconds>",
    default: "5",
    group: "FFmpeg",
    help: "longest delay between FFmpeg's reconnect attempts (-reconnect_delay_max)",
  },
  {
    name: "seg-retry",
    kind: "value",
    arg: "<n>",
    default: "3",
    group: "FFmpeg",
    help: "segment retries (-seg_max_retry; left out when this FFmpeg lacks it)",
  },
  {
    name: "ffmpeg-debug",
    kind: "bool",
    group: "FFmpeg",
    help: "copy every FFmpeg stderr line into hls-swarm's log at debug level",
  },
];
