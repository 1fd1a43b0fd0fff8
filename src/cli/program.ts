/**
 * The command-line grammar, built with commander from the flag table. Commander handles syntax
 * (unknown flags, missing values, help); the config loader handles meaning, so that every bad
 * value is reported at once.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { envName, EXTRA_ENV, FLAGS, type FlagSpec } from "../config/flags.ts";
import type { RawFlags } from "../config/load.ts";
import { PROGRAM_NAME, VERSION } from "../version.ts";
import { figuresHelp } from "../config/thresholds.ts";
import { ORIGIN_FLAGS, type OriginFlagValues } from "./origin_flags.ts";

/** The Examples section of --help: what people type first. */
const EXAMPLES = `Examples:
  # 50 viewers for 5 minutes, 10 starts per second, pass/fail for CI:
  ${PROGRAM_NAME} -c 50 -d 5m --ramp-rate 10 --threshold 'segment_ttfb_p95<500ms' \\
    --threshold 'error_rate<1%' https://cdn.example/live/stream.m3u8
  # The same from environment variables alone (containers):
  HLS_SWARM_CLIENTS=50 HLS_SWARM_DURATION=5m HLS_SWARM_URL=https://cdn.example/live/stream.m3u8 ${PROGRAM_NAME}
  # Stop at the first threshold failure; JUnit XML and a per-second CSV for CI:
  ${PROGRAM_NAME} -c 200 -d 10m --abort-on-fail --threshold 'stalled_clients==0' \\
    --junit junit.xml --timeline timeline.csv URL
  # Shard 2 of 4 of a 1,000-viewer run, starting together, then merge the shards:
  ${PROGRAM_NAME} -c 1000 --shard 2/4 --start-at 2026-12-01T15:00:00Z --run-id live-test \\
    --summary-json shard-2.json URL
  ${PROGRAM_NAME} merge shard-*.json --threshold 'error_rate<1%'
  # The exact FFmpeg command of client 0, and a local test stream:
  ${PROGRAM_NAME} --print-cmd URL;  ${PROGRAM_NAME} origin
`;

/** What the command line asked for. */
export type CliRequest =
  | { kind: "swarm"; url: string | undefined; raw: RawFlags; given: Set<string> }
  | { kind: "origin"; values: OriginFlagValues }
  | { kind: "exit"; code: number };

/** commander's attribute key for a flag: `no-cache` is stored negated as `cache`. */
function attributeKey(flag: FlagSpec): string {
  const positive = flag.name.startsWith("no-") ? flag.name.slice(3) : flag.name;
  return positive.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function describe(flag: FlagSpec): string {
  const extra = [
    flag.choices ? `choices: ${flag.choices.join(", ")}` : "",
    flag.default !== undefined && flag.kind !== "bool" ? `default: ${flag.default || '""'}` : "",
    flag.kind === "bool" && flag.default === "true" ? "default: true" : "",
    `env: ${envName(flag.name)}${flag.alias ? ` or ${flag.alias}` : ""}`,
  ].filter(Boolean);
  return extra.length ? `${flag.help} (${extra.join("; ")})` : flag.help;
}

function addFlag(cmd: Command, flag: FlagSpec): void {
  const heading = `${flag.group}:`;
  const short = flag.short ? `-${flag.short}, ` : "";
  if (flag.kind === "bool") {
    const positive = !flag.name.startsWith("no-");
    cmd.addOption(new Option(`${short}--${flag.name}`, describe(flag)).helpGroup(heading));
    if (positive) {
      // The negation is accepted but not listed: help shows "--tui" once, with its default.
      cmd.addOption(new Option(`--no-${flag.name}`).hideHelp());
    }
    return;
  }
  const option = new Option(`${short}--${flag.name} ${flag.arg ?? "<value>"}`, describe(flag))
    .helpGroup(heading);
  if (flag.kind === "list") {
    option.argParser((value: string, previous: unknown) => [
      ...(Array.isArray(previous) ? previous : []),
      value,
    ]);
  }
  cmd.addOption(option);
}

/**
 * Parses argv (already Go-spelling normalized). Help, version and syntax errors come back as
 * `{ kind: "exit" }` after commander has printed them.
 *
 * @example
 * ```ts
 * const req = parseCommandLine(["--clients", "5", "http://127.0.0.1:17080/stream.m3u8"]);
 * if (req.kind === "swarm") req.raw.clients; // "5"
 * ```
 */
export function parseCommandLine(
  argv: string[],
  output?: { writeOut(s: string): void; writeErr(s: string): void },
): CliRequest {
  let request: CliRequest = { kind: "exit", code: 0 };
  const program = new Command(PROGRAM_NAME)
    .description(
      "HLS load tester: a swarm of real FFmpeg viewers pulling a live stream, with Prometheus " +
        "metrics, a live dashboard and an exit summary.",
    )
    .usage("[flags] <HLS_URL>   (or: hls-swarm origin [flags])")
    .version(`${PROGRAM_NAME} ${VERSION}`, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show this help")
    .argument(
      "[url]",
      `HLS playlist URL (env: ${EXTRA_ENV.streamUrl.name} or ${EXTRA_ENV.streamUrl.alias})`,
    )
    .showHelpAfterError(`(run "${PROGRAM_NAME} --help" for usage)`)
    .configureHelp({ sortOptions: false, helpWidth: 110 })
    .exitOverride();
  if (output) program.configureOutput(output);
  for (const flag of FLAGS) addFlag(program, flag);
  program.addHelpText("after", `\n${EXAMPLES}\nFigures for --threshold:\n${figuresHelp()}\n`);
  program.action((url: string | undefined) => {
    const opts = program.opts();
    const raw: RawFlags = {};
    const given = new Set<string>();
    for (const flag of FLAGS) {
      const key = attributeKey(flag);
      if (program.getOptionValueSource(key) !== "cli") continue;
      given.add(flag.name);
      const value = opts[key] as string | boolean | string[];
      raw[flag.name] = flag.name.startsWith("no-") ? value === false : value;
    }
    request = { kind: "swarm", url, raw, given };
  });

  const origin = program.command("origin")
    .description(
      "serve a live test stream (FFmpeg testsrc2 + sine, H.264/AAC) over HTTP on loopback",
    )
    .configureHelp({ sortOptions: false })
    .exitOverride();
  if (output) origin.configureOutput(output);
  for (const f of ORIGIN_FLAGS) {
    const o = new Option(f.flags, f.help);
    if (f.default !== undefined) o.default(f.default);
    origin.addOption(o);
  }
  origin.action(() => {
    request = { kind: "origin", values: origin.opts() as OriginFlagValues };
  });

  // Listed for help only: runCli hands these to their own parsers before this grammar runs.
  program.command("merge").description(
    "merge shard summaries into one fleet summary (see: hls-swarm merge --help)",
  );
  program.command("reconcile").description(
    "match a run's --request-log with the CDN's access logs (see: hls-swarm reconcile --help)",
  );
  program.command("completion").description("print a completion script: completion bash|zsh|fish");
  // Likewise `k8s …` (src/cli/k8s_command.ts).
  program.command("k8s").description(
    "render or run the shards as a Kubernetes Indexed Job (see: hls-swarm k8s render --help)",
  );

  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const ok = e.code === "commander.helpDisplayed" || e.code === "commander.version" ||
      e.code === "commander.help";
    return { kind: "exit", code: ok ? 0 : 2 };
  }
  return request;
}
