/**
 * The program: parse the command line and environment, then run the swarm, the test origin or
 * a one-shot mode (`--print-cmd`), and map every outcome to a documented exit code
 * (src/exit/codes.ts): a finished run's by its outcome, an error the user can act on by the code
 * it carries (`ExitError`), anything else by the fatal handler (cli/fatal.ts).
 * @module
 */
import { audienceComments } from "../swarm/audience_plan.ts";
import { writeTextFileAtomic } from "../atomic_write.ts";
import { systemClock } from "../clock.ts";
import type { SwarmConfig } from "../config/config.ts";
import { readVariable } from "../config/env.ts";
import { EXTRA_ENV, FLAGS } from "../config/flags.ts";
import { shellQuote, splitShellWords } from "../config/shell_words.ts";
import { createLogger, type Logger, stderrSink } from "../log/logger.ts";
import { chooseMapping, groupComments } from "../swarm/mapping.ts";
import { partitionClients } from "../partition/partition_clients.ts";
import { SwarmStartError } from "../swarm/errors.ts";
import { Swarm } from "../swarm/swarm.ts";
import { runOriginUntilSignal } from "../test_origin/mod.ts";
import { detectCapabilities, type FfmpegCapabilities } from "../process/capabilities.ts";
import { denoTlsDeps, prepareTls, type TlsSetup } from "../process/tls.ts";
import { runCommand } from "../process/command_runner.ts";
import { detectDeathSignalWrapper } from "../process/spawner.ts";
import { chooseReader, clientSpawner, findFanin } from "../fanin/choose.ts";
import { stderrSelection } from "../parser/parsers_for.ts";
import { junitXml } from "../report/junit.ts";
import { writeReportFiles } from "../report/html/outputs.ts";
import { runOutcome } from "../report/outcome.ts";
import { encodeSummaryLine } from "../report/summary_line.ts";
import { printFileFrames } from "../report/file_frames.ts";
import { formatSummary } from "../report/summary_text.ts";
import { evaluateThresholds } from "../report/thresholds.ts";
import { DashboardSession, dashboardWanted } from "../tui/session.ts";
import { redactorFor } from "../secrets/redact.ts";
import { rawRedactor } from "../config/raw_redactor.ts";
import { PROGRAM_NAME } from "../version.ts";
import { normalizeArgv } from "./argv.ts";
import { EXIT, type ExitCode, exitCodeOf, ExitError } from "../exit/codes.ts";
import { type OriginFlagValues, originOptionsFrom } from "./origin_flags.ts";
import { completionScript, type Shell, SHELLS } from "./completion.ts";
import type { CliIo } from "../exit/io.ts";
import { runMerge } from "./merge_command.ts";
import { runReconcile } from "./reconcile_command.ts";
import { runK8s } from "./k8s_command.ts";
import { parseCommandLine } from "./program.ts";
import { swarmConfig } from "./swarm_config.ts";

export type { CliIo };

/**
 * Runs hls-swarm with `args` and resolves with the exit code.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../testing/assert.ts";
 * import { VERSION } from "../version.ts";
 * const out: string[] = [];
 * const io = {
 *   env: {},
 *   stdout: (t: string) => out.push(t),
 *   stderr: (t: string) => out.push(t),
 *   stdoutIsTerminal: false,
 *   stderrIsTerminal: false,
 * };
 * assertEquals(await runCli(["--version"], io), 0); // src/main.ts: Deno.exit(await runCli(…))
 * assertEquals(out, [`hls-swarm ${VERSION}\n`]);
 * assertEquals(await runCli(["--clients", "0", "http://h/x.m3u8"], io), 2);
 * ```
 */
export async function runCli(args: string[], cliIo: CliIo): Promise<number> {
  // Every stderr line is redacted from the first one: config errors quote bad values, and the
  // config's own redactor exists only once the config has loaded (config/raw_redactor.ts).
  const raw = rawRedactor(args, cliIo.env);
  const io: CliIo = { ...cliIo, stderr: (t) => cliIo.stderr(raw.text(t)) };
  // Subcommands with flags of their own parse them themselves, before the swarm's grammar
  // (Go spelling, EXTRA_ARGS) could claim a flag such as --summary-json.
  if (args[0] === "merge") return await runMerge(args.slice(1), io);
  if (args[0] === "reconcile") return await runReconcile(args.slice(1), io);
  if (args[0] === "completion") return runCompletion(args.slice(1), io);
  if (args[0] === "k8s") {
    return await runK8s(args.slice(1), io, { merge: (a) => runMerge(a, io) });
  }
  let extra: string[] = [];
  const extraArgs = readVariable(io.env, EXTRA_ENV.extraArgs);
  try {
    extra = splitShellWords(extraArgs?.value ?? "");
  } catch (e) {
    io.stderr(`${PROGRAM_NAME}: ${extraArgs?.variable}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const request = parseCommandLine(normalizeArgv([...extra, ...args], FLAGS), {
    writeOut: io.stdout,
    writeErr: io.stderr,
  });
  if (request.kind === "exit") return request.code;
  if (request.kind === "origin") return await runOrigin(request.values, io);

  const loaded = swarmConfig(request.raw, request.given, request.url, io.env);
  for (const w of loaded.warnings) io.stderr(`${PROGRAM_NAME}: warning: ${w}\n`);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(`${PROGRAM_NAME}: ${e}\n`);
    io.stderr(`(run "${PROGRAM_NAME} --help" for usage)\n`);
    return EXIT.usage;
  }
  const config = loaded.config;
  if (config.tui === true && !io.stdoutIsTerminal) {
    io.stderr(`${PROGRAM_NAME}: --tui needs a terminal on stdout; use --tui=false when piping\n`);
    return EXIT.usage;
  }
  const redactor = raw.merge(redactorFor(config));
  const log = createLogger({
    format: config.logFormat ?? (io.stderrIsTerminal ? "text" : "json"),
    level: config.logLevel,
    sink: stderrSink,
    redact: redactor,
  });
  // What hls-swarm itself prints on stderr (errors naming the URL) loses its secrets too;
  // stdout is redacted where it is written, since --print-cmd must stay exact.
  return await runSwarm(config, { ...io, stderr: (t) => cliIo.stderr(redactor.text(t)) }, log);
}

/**
 * Runs the swarm (or prints its command). The one place where an error becomes an exit code:
 * FFmpeg unusable, a bad --ca-file, a run that cannot start or starts late are `ExitError`s
 * that carry theirs; any other error is a bug and goes on to the fatal handler.
 */
async function runSwarm(config: SwarmConfig, io: CliIo, log: Logger): Promise<number> {
  try {
    const caps = await detectCapabilities(config.ffmpegPath, runCommand);
    const tls = await prepareTls(config, denoTlsDeps(io.env));
    const ready: Ready = { config, caps, tls, io, log };
    if (config.printCmd) return await printCommand(ready);
    try {
      return await runWithTls(ready);
    } finally {
      await tls.cleanup();
    }
  } catch (e) {
    if (!(e instanceof ExitError)) throw e;
    return refused(e, io, log);
  }
}

/**
 * Reports an error the user can act on, as one line on stderr, and returns its exit code. A
 * usage error is about the input the user just gave; anything else stopped a run from starting
 * and is logged as `run_not_started` too, for whoever reads only the logs (a pod's).
 */
function refused(e: ExitError, io: CliIo, log: Logger): ExitCode {
  if (e.exitCode !== EXIT.usage) {
    log.error("run_not_started", { error: e.message, exit_code: e.exitCode });
  }
  io.stderr(`${PROGRAM_NAME}: ${e.message}\n`);
  return e.exitCode;
}

/** A configuration with its FFmpeg's capabilities and TLS options: ready to run. */
interface Ready {
  config: SwarmConfig;
  caps: FfmpegCapabilities;
  tls: TlsSetup;
  io: CliIo;
  log: Logger;
}

/**
 * `--print-cmd`: the exact argv of client 0, to paste. It is exact, secrets included, so a
 * warning says so when it holds any; a combined CA bundle is kept for the pasted command.
 */
async function printCommand({ config, caps, tls, io, log }: Ready): Promise<number> {
  const mapping = await chooseMapping(config, runCommand, log, tls);
  // With --resolve-dns, client 0's lookup is made now, so the command is the one it would run.
  const clients = partitionClients(config, caps, mapping, tls, log);
  const { command, args } = await Promise.resolve(
    clients.command(0, AbortSignal.timeout(config.timeoutMs)),
  ).catch((e) => {
    throw new SwarmStartError(`print-cmd: ${e instanceof Error ? e.message : e}`);
  });
  const address0 = clients.groupsOf?.(0).address ?? null;
  for (const line of audienceComments(config, config.shard?.count ?? 1)) io.stdout(`${line}\n`);
  for (const line of groupComments(config, mapping, address0)) io.stdout(`${line}\n`);
  io.stdout(`# FFmpeg command client 0 runs (FFmpeg ${caps.version}):\n`);
  io.stdout([command, ...args].map(shellQuote).join(" ") + "\n");
  const redactor = redactorFor(config);
  if (redactor.holdsSecrets([command, ...args].join(" "))) {
    io.stderr(
      `${PROGRAM_NAME}: warning: the command above holds secrets (credential headers or a URL ` +
        "query); it is printed exactly so it can be pasted: keep it out of logs and tickets\n",
    );
  }
  if (config.caFile && tls.caFile) {
    io.stderr(`${PROGRAM_NAME}: the combined CA bundle it names is kept at ${tls.caFile}\n`);
  }
  return EXIT.ok;
}

async function runWithTls({ config, caps, tls, io, log }: Ready): Promise<number> {
  const deathSignal = await detectDeathSignalWrapper(runCommand);
  const reader = chooseReader(
    config.lineReader,
    config.lineReader === "deno"
      ? { path: null, tried: "" }
      : await findFanin(runCommand, io.env, Deno.mainModule),
  );
  if ("error" in reader) {
    io.stderr(`${PROGRAM_NAME}: ${reader.error}\n`);
    return EXIT.usage;
  }
  if (reader.warning) log.warn("line_reader_fallback", { reason: reader.warning });
  // The dashboard owns the terminal, so the run's logs go to a file while it is up.
  let tui: DashboardSession | null = null;
  if (dashboardWanted(config, io.stdoutIsTerminal)) {
    try {
      tui = DashboardSession.open(config, io.env);
    } catch (e) {
      // Logs must never be discarded: without a file, run with logs on stderr instead.
      log.warn("dashboard_disabled", { reason: (e as Error).message });
    }
  }
  const runLog = tui?.log ?? log;
  const swarm = new Swarm(config, {
    clock: systemClock,
    spawner: clientSpawner(
      {
        faninPath: reader.faninPath,
        deathSignal,
        selection: stderrSelection(config),
        bufferLines: config.statsBufferLines,
      },
      systemClock,
      runLog,
    ),
    faninPath: reader.faninPath,
    runCommand,
    readTextFile: Deno.readTextFile,
    fetch,
    log: runLog,
    caps,
    deathSignal,
    seed: Date.now() >>> 0,
    progressLogMs: tui ? 0 : 5000,
    tls,
    workerEntry: io.workerEntry,
    notice: tui ? undefined : io.stderr,
  });
  runLog.info("run_started", {
    run_id: config.runId,
    target: config.streamUrl,
    clients: config.clients,
    ramp_rate: config.rampRate,
    duration_ms: config.durationMs,
    ffmpeg: caps.version,
    line_reader: reader.faninPath ? "native" : "deno",
  });
  let interrupts = 0;
  const onSignal = (signal: Deno.Signal) => () => {
    interrupts++;
    if (interrupts === 1) swarm.stop(signal);
    else swarm.forceStop(`second ${signal}`);
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((s) => [s, onSignal(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  tui?.start(swarm, {
    onQuit: () => swarm.stop("quit"),
    onForceQuit: () => swarm.forceStop("second Ctrl+C"),
    stderr: io.stderr,
  });
  try {
    // The guard gives the terminal back before the summary or any error is printed.
    const measured = await (tui ? tui.guard(swarm.run(), io.stderr) : swarm.run());
    const thresholds = evaluateThresholds(measured, config.thresholds);
    const outcome = runOutcome(measured, thresholds, config.durationMs);
    // Every artifact from here on (text, JSON, summary line, JUnit) is the redacted record.
    const redactor = redactorFor(config);
    const summary = redactor.value(measured);
    const record = redactor.value({ ...summary, thresholds, outcome });
    // With the JSON on stdout, the text summary moves to stderr so stdout stays parseable.
    (config.summaryJson === "-" ? io.stderr : io.stdout)(formatSummary(summary, thresholds));
    if (config.summaryJson) {
      try {
        const json = JSON.stringify(record, null, 2) + "\n";
        if (config.summaryJson === "-") io.stdout(json);
        else await writeTextFileAtomic(config.summaryJson, json);
      } catch (e) {
        io.stderr(`${PROGRAM_NAME}: cannot write --summary-json: ${(e as Error).message}\n`);
        return EXIT.failure;
      }
    }
    if (config.junit) {
      const seconds = summary.durationMs / 1000;
      await writeTextFileAtomic(config.junit, junitXml(config.runId, thresholds, outcome, seconds))
        .catch((e) =>
          io.stderr(`${PROGRAM_NAME}: cannot write --junit: ${(e as Error).message}\n`)
        );
    }
    await writeReportFiles(record, config, {}, (l) => io.stderr(`${PROGRAM_NAME}: ${l}\n`));
    // The request log framed before it, so `kubectl logs` carries it too (k8s run collects it).
    if (config.summaryLine && config.requestLog) {
      await printFileFrames("request-log", config.requestLog, io.stdout).catch((e) =>
        io.stderr(`${PROGRAM_NAME}: cannot print --request-log: ${(e as Error).message}\n`)
      );
    }
    // The last stdout line, so that `kubectl logs` ends with it.
    if (config.summaryLine) io.stdout(`${await encodeSummaryLine(record)}\n`);
    await swarm.closeMetrics();
    if (outcome.code === EXIT.failure) {
      log.error("run_failed", { reason: outcome.reason });
      io.stderr(`${PROGRAM_NAME}: run failed: ${outcome.reason}\n`);
    } else if (outcome.code !== EXIT.ok) log.warn("run_outcome", { ...outcome });
    return outcome.code;
  } finally {
    tui?.close(io.stderr);
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}

function runCompletion(args: string[], io: CliIo): number {
  const shell = args[0] as Shell;
  if (args.length !== 1 || !SHELLS.includes(shell)) {
    io.stderr(`usage: ${PROGRAM_NAME} completion ${SHELLS.join("|")}\n`);
    return EXIT.usage;
  }
  io.stdout(completionScript(shell));
  return EXIT.ok;
}

async function runOrigin(values: OriginFlagValues, io: CliIo): Promise<number> {
  const parsed = originOptionsFrom(values);
  if (!parsed.ok) {
    for (const e of parsed.errors) io.stderr(`${PROGRAM_NAME} origin: ${e}\n`);
    return EXIT.usage;
  }
  const log = createLogger({
    format: io.stderrIsTerminal ? "text" : "json",
    level: "info",
    sink: stderrSink,
  });
  try {
    await runOriginUntilSignal(parsed.options, { log: (msg, f) => log.info(msg, f) }, (origin) => {
      // The URL alone on stdout, so scripts can read it; details go to the log.
      io.stdout(`${origin.url}\n`);
      log.info("origin_ready", { url: origin.url, dir: origin.dir });
    });
    return EXIT.ok;
  } catch (e) {
    // The origin is a test tool: whatever stops it is reported in one line.
    io.stderr(`${PROGRAM_NAME} origin: ${(e as Error).message}\n`);
    return exitCodeOf(e);
  }
}
