/**
 * `hls-swarm k8s render|run [flags] URL`: the command line of the Kubernetes deployment. Both
 * take the swarm's own flags (passed to the shards through the ConfigMap) and the k8s flags;
 * `run` adds how to follow, collect and merge. Every bad input exits 2 with one line per
 * problem.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { normalizeArgv } from "./argv.ts";
import { EXIT } from "../exit/codes.ts";
import type { CliIo } from "../exit/io.ts";
import { parseDuration } from "../config/duration.ts";
import { FLAGS, type FlagSpec } from "../config/flags.ts";
import type { RawFlags } from "../config/load.ts";
import { parseThreshold } from "../config/thresholds.ts";
import { type Kubectl, kubectlCommand, KubectlMissingError } from "../k8s/kubectl.ts";
import { secretWarning } from "../k8s/credentials.ts";
import { hasSecret, runObjects } from "../k8s/manifests.ts";
import {
  DEFAULT_IMAGE,
  type K8sFlags,
  MERGE_FLAGS,
  runSpecOf,
  type SpecResult,
} from "../k8s/options.ts";
import { makePrivate, writePrivateTextFile } from "../k8s/private_file.ts";
import { runOnKubernetes } from "../k8s/run.ts";
import { sizingTable } from "../k8s/sizing.ts";
import { waitAtBarrier } from "../k8s/barrier.ts";
import { toYamlStream } from "../k8s/yaml.ts";

/**
 * What `k8s` is given: `hls-swarm merge` (cli/main.ts passes runMerge; taken as a parameter
 * because cli/ imports this module), and seams for tests: the clock and kubectl.
 */
export interface K8sDeps {
  merge: (args: string[]) => Promise<number>;
  now?: () => Date;
  kubectl?: Kubectl;
}

const NAME = "hls-swarm k8s";
/** How much longer than --barrier-timeout a pod waits at the barrier before it gives up. */
const BARRIER_SELF_TIMEOUT_S = 600;
/** Flags `k8s` defines itself; the swarm's flag of the same name is not added. */
const OWN = new Set(["shards"]);

interface RunFlags {
  out?: string;
  jobTimeout?: string;
  barrierTimeout: string;
  startLead: string;
  poll: string;
  kubectl: string;
  cleanup?: boolean;
  allowMissingShards?: boolean;
}

type Request =
  | { kind: "barrier"; file: string; timeout: string }
  | {
    kind: "render" | "run";
    url?: string;
    raw: RawFlags;
    given: Set<string>;
    k8s: K8sFlags & RunFlags;
  }
  | { kind: "exit"; code: number };

/** commander's attribute key for a flag: `no-cache` is stored negated as `cache`. */
function attributeKey(name: string): string {
  const positive = name.startsWith("no-") ? name.slice(3) : name;
  return positive.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function addSwarmFlag(cmd: Command, flag: FlagSpec): void {
  const group = `Swarm flags (passed to every shard), ${flag.group}:`;
  const short = flag.short ? `-${flag.short}, ` : "";
  if (flag.kind === "bool") {
    cmd.addOption(new Option(`${short}--${flag.name}`, flag.help).helpGroup(group));
    if (!flag.name.startsWith("no-")) cmd.addOption(new Option(`--no-${flag.name}`).hideHelp());
    return;
  }
  const option = new Option(`${short}--${flag.name} ${flag.arg ?? "<value>"}`, flag.help)
    .helpGroup(group);
  if (flag.kind === "list") {
    option.argParser((v: string, prev: unknown) => [...(Array.isArray(prev) ? prev : []), v]);
  }
  cmd.addOption(option);
}

/** A repeatable flag's values, in order. */
const collect = (v: string, prev: unknown) => [...(Array.isArray(prev) ? prev : []), v];

/** The scheduling flags: src/k8s/scheduling.ts checks them and says what each form means. */
const SCHEDULING_FLAGS: readonly [string, string][] = [
  ["--node-selector <key=value>", "run only on nodes with this label"],
  [
    "--toleration <key[=value][:effect]>",
    "tolerate a taint, as kubectl taint writes it (pool=load:NoSchedule; spot:Exists: any value)",
  ],
  ["--label <key=value>", "an extra label on every object and pod (cost centres, policies)"],
  ["--image-pull-secret <name>", "a Secret that pulls --image from a private registry"],
];

function subcommand(
  parent: Command,
  kind: "render" | "run",
  io: CliIo,
  done: (r: Request) => void,
) {
  const cmd = parent.command(kind)
    .argument("[url]", "HLS playlist URL")
    .configureHelp({ sortOptions: false, helpWidth: 110 })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(`(run "${NAME} ${kind} --help" for usage)`)
    .exitOverride();
  const k8s = "Kubernetes:";
  cmd.addOption(
    new Option("--shards <n>", "shards: pods of the Indexed Job").default("1").helpGroup(k8s),
  );
  cmd.addOption(
    new Option("--image <ref>", "the hls-swarm image (container.nix)").default(DEFAULT_IMAGE)
      .helpGroup(k8s),
  );
  cmd.addOption(
    new Option("--namespace <ns>", "namespace (default: kubectl's current one)").helpGroup(k8s),
  );
  cmd.addOption(
    new Option("--no-pod-monitor", "leave out the PodMonitor (no prometheus-operator)").helpGroup(
      k8s,
    ),
  );
  const s = "Scheduling (each repeatable):";
  for (const [flags, help] of SCHEDULING_FLAGS) {
    cmd.addOption(new Option(flags, help).argParser(collect).helpGroup(s));
  }
  if (kind === "run") {
    const r = "Following, collecting and merging:";
    cmd.addOption(
      new Option(
        "--out <dir>",
        "where manifests, logs, summaries and report.html go (default: ./<run id>)",
      )
        .helpGroup(r),
    );
    cmd.addOption(
      new Option(
        "--job-timeout <duration>",
        "stop waiting for the Job after this (default: until --start-at, plus --duration, plus 10m)",
      ).helpGroup(r),
    );
    cmd.addOption(
      new Option("--poll <duration>", "time between Job status reads").default("5s").helpGroup(r),
    );
    cmd.addOption(
      new Option(
        "--barrier-timeout <duration>",
        "without --start-at: how long the pods may take to all run before the start is set",
      ).default("10m").helpGroup(r),
    );
    cmd.addOption(
      new Option(
        "--start-lead <duration>",
        "without --start-at: the start is this long after every pod runs",
      ).default("2m").helpGroup(r),
    );
    cmd.addOption(
      new Option("--kubectl <path>", "the kubectl to run").default("kubectl").helpGroup(r),
    );
    cmd.addOption(new Option("--cleanup", "delete the run's objects once collected").helpGroup(r));
    cmd.addOption(
      new Option("--allow-missing-shards", "merge: exit 0 with shards missing or failed").helpGroup(
        r,
      ),
    );
  }
  for (const flag of FLAGS) if (!OWN.has(flag.name)) addSwarmFlag(cmd, flag);
  cmd.addHelpText(
    "after",
    "\nEach pod requests, for the largest shard's ⌈clients / shards⌉ viewers (no CPU limit;\n" +
      "measured per viewer, nix/sizing.nix; deploy/kubernetes/README.md says how):\n" +
      `${sizingTable()}\n`,
  );
  cmd.action((url: string | undefined) => {
    const opts = cmd.opts();
    const raw: RawFlags = {};
    const given = new Set<string>();
    for (const flag of FLAGS) {
      const key = attributeKey(flag.name);
      if (OWN.has(flag.name) || cmd.getOptionValueSource(key) !== "cli") continue;
      given.add(flag.name);
      const value = opts[key] as string | boolean | string[];
      raw[flag.name] = flag.name.startsWith("no-") ? value === false : value;
    }
    done({ kind, url, raw, given, k8s: opts as K8sFlags & RunFlags });
  });
}

function parse(args: string[], io: CliIo): Request {
  let request: Request = { kind: "exit", code: EXIT.usage };
  const program = new Command(NAME)
    .description("run hls-swarm on Kubernetes: one Indexed Job pod per shard")
    .usage("render|run [flags] <HLS_URL>")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  subcommand(program, "render", io, (r) => (request = r));
  subcommand(program, "run", io, (r) => (request = r));
  program.command("barrier")
    .description("in a shard pod: wait until FILE holds the start time (src/k8s/barrier.ts)")
    .argument("<file>", "the start ConfigMap's key, as mounted")
    .addOption(new Option("--timeout <duration>", "give up (exit 1) after this").default("1h"))
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .action((file: string, o: { timeout: string }) => {
      request = { kind: "barrier", file, timeout: o.timeout };
    });
  try {
    program.parse(normalizeArgv(args, FLAGS), { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const ok = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(e.code);
    return { kind: "exit", code: ok ? EXIT.ok : EXIT.usage };
  }
  return request;
}

function usage(io: CliIo, kind: string, errors: string[]): number {
  for (const e of errors) io.stderr(`${NAME}: ${e}\n`);
  io.stderr(`(run "${NAME} ${kind} --help" for usage)\n`);
  return EXIT.usage;
}

/**
 * Runs `hls-swarm k8s` with its arguments (after the word `k8s`); resolves with the exit code.
 *
 * @example Not run: it needs a CliIo; tests/k8s_test.ts renders and runs
 * ```ts ignore
 * await runK8s(["render", "--shards", "4", "--clients", "400", "--duration", "10m",
 *   "http://origin:17080/stream.m3u8"], io, { merge: (args) => runMerge(args, io) });
 * ```
 */
export async function runK8s(args: string[], io: CliIo, seams: K8sDeps): Promise<number> {
  const request = parse(args, io);
  if (request.kind === "exit") return request.code;
  if (request.kind === "barrier") {
    const d = parseDuration(request.timeout);
    if (!d.ok) return usage(io, "barrier", [`timeout: ${d.error}`]);
    return await waitAtBarrier(request.file, d.ms, {
      readTextFile: Deno.readTextFile,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: Date.now,
      stderr: io.stderr,
    });
  }
  const now = seams.now?.() ?? new Date();
  const { raw, given, k8s } = request;
  const mergeArgs: string[] = [];
  const errors: string[] = [];
  for (const [name, why] of Object.entries(MERGE_FLAGS)) {
    if (!given.has(name)) continue;
    if (request.kind === "render") errors.push(`${name}: ${why}`);
    for (const v of ([] as string[]).concat(raw[name] as string | string[])) {
      if (name === "threshold" && typeof parseThreshold(v) === "string") {
        errors.push(`threshold: ${parseThreshold(v)}`);
      }
      mergeArgs.push(`--${name}`, v);
    }
    delete raw[name];
    given.delete(name);
  }
  // k8s run picks the start once every pod runs, unless --start-at fixes it.
  const durations: Record<string, number> = {};
  if (request.kind === "run") {
    for (
      const [name, text] of [
        ["poll", k8s.poll],
        ["job-timeout", k8s.jobTimeout],
        ["barrier-timeout", k8s.barrierTimeout],
        ["start-lead", k8s.startLead],
      ] as const
    ) {
      if (text === undefined) continue;
      const d = parseDuration(text);
      if (!d.ok) errors.push(`${name}: ${d.error}`);
      else if (d.ms <= 0) errors.push(`${name}: must be greater than 0 (got ${text})`);
      else durations[name] = d.ms;
    }
  }
  const barrierMs = request.kind === "run" && !given.has("start-at")
    ? durations["barrier-timeout"]
    : undefined;
  if (barrierMs !== undefined) {
    // The pods give up by themselves only if k8s run is gone: it deletes them at its timeout.
    k8s.barrier = { timeoutS: Math.ceil(barrierMs / 1000) + BARRIER_SELF_TIMEOUT_S };
  }
  const result: SpecResult = runSpecOf(raw, given, request.url, k8s, now);
  if (!result.ok) return usage(io, request.kind, [...errors, ...result.errors]);
  if (errors.length) return usage(io, request.kind, errors);
  for (const w of result.warnings) io.stderr(`${NAME}: warning: ${w}\n`);
  const { spec } = result;
  if (request.kind === "render") {
    if (hasSecret(spec)) {
      io.stderr(`${NAME}: warning: ${secretWarning(spec.runId, spec.secrets)}\n`);
    }
    for (const line of result.audience) io.stdout(`${line}\n`);
    io.stdout(toYamlStream(runObjects(spec)));
    return EXIT.ok;
  }

  const startAtMs = Date.parse(result.startAt);
  if (startAtMs < now.getTime()) errors.push(`start-at: ${result.startAt} has passed`);
  if (errors.length) return usage(io, request.kind, errors);
  const leadMs = durations["start-lead"];
  // From the apply (a fixed start), or from the barrier's release.
  const untilStart = spec.barrier ? leadMs : Math.max(0, startAtMs - now.getTime());
  const out = k8s.out ?? spec.runId;
  if (!mergeArgs.includes("--summary-json")) {
    mergeArgs.push("--summary-json", `${out}/summary.json`);
  }
  // The fleet's HTML report (with each shard) goes beside its summary unless placed elsewhere:
  // the pods cannot write one that outlives them, so k8s run always can.
  if (!mergeArgs.includes("--html")) mergeArgs.push("--html", `${out}/report.html`);
  if (k8s.allowMissingShards) mergeArgs.push("--allow-missing-shards");
  try {
    return await runOnKubernetes(spec, {
      out,
      timeoutMs: durations["job-timeout"] ?? untilStart + result.durationMs + 600_000,
      barrier: spec.barrier ? { timeoutMs: barrierMs!, leadMs } : undefined,
      pollMs: durations.poll,
      mergeArgs,
      cleanup: k8s.cleanup === true,
    }, {
      kubectl: seams.kubectl ?? kubectlCommand(k8s.kubectl),
      merge: seams.merge,
      stderr: io.stderr,
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      writeTextFile: writePrivateTextFile,
      makePrivate,
      // A folder it creates is private too; an existing one (--out .) is left as it is.
      mkdir: (path) => Deno.mkdir(path, { recursive: true, mode: 0o700 }),
    });
  } catch (e) {
    if (!(e instanceof KubectlMissingError)) throw e;
    io.stderr(`${NAME}: ${e.message}\n`);
    return EXIT.failure;
  }
}
