/**
 * The program: parse the command line and environment, then run the swarm, the test origin or
 * a one-shot mode (`--print-cmd`), and map every outcome to a documented exit code.
 * @module
 */
import { systemClock } from "../clock.ts";
import type { SwarmConfig } from "../config/config.ts";
import { applyEnvironment } from "../config/env.ts";
import { EXTRA_ENV, FLAGS } from "../config/flags.ts";
import { loadConfig } from "../config/load.ts";
import { shellQuote, splitShellWords } from "../config/shell_words.ts";
import { createLogger, type Logger, stderrSink } from "../log/logger.ts";
import { MetricsListenError } from "../metrics/server.ts";
import { chooseMapping, clientCommand, Swarm, SwarmStartError } from "../orchestrator/swarm.ts";
import { startOrigin } from "../origin/mod.ts";
import { detectCapabilities, FfmpegUnavailableError } from "../process/capabilities.ts";
import { runCommand } from "../process/command_runner.ts";
import { createProcessSpawner, detectDeathSignalWrapper } from "../process/spawner.ts";
import { formatSummary } from "../stats/summary.ts";
import { PROGRAM_NAME } from "../version.ts";
import { normalizeArgv } from "./argv.ts";
import { EXIT } from "./exit_codes.ts";
import { type OriginFlagValues, originOptionsFrom } from "./origin_flags.ts";
import { parseCommandLine } from "./program.ts";

/** The process-level things the program touches, passed in for tests. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
}

/**
 * Runs hls-swarm with `args` and resolves with the exit code.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(Deno.args, denoIo()));
 * ```
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  let extra: string[] = [];
  try {
    extra = splitShellWords(io.env[EXTRA_ENV.extraArgs] ?? "");
  } catch (e) {
    io.stderr(`${PROGRAM_NAME}: ${EXTRA_ENV.extraArgs}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const request = parseCommandLine(normalizeArgv([...extra, ...args], FLAGS), {
    writeOut: io.stdout,
    writeErr: io.stderr,
  });
  if (request.kind === "exit") return request.code;
  if (request.kind === "origin") return await runOrigin(request.values, io);

  const envErrors: string[] = [];
  const raw = { ...request.raw };
  applyEnvironment(raw, request.given, io.env, envErrors);
  const loaded = loadConfig(raw, request.url ?? io.env[EXTRA_ENV.streamUrl]);
  const errors = [...envErrors, ...(loaded.ok ? [] : loaded.errors)];
  if (!loaded.ok || errors.length) {
    for (const e of errors) io.stderr(`${PROGRAM_NAME}: ${e}\n`);
    io.stderr(`(run "${PROGRAM_NAME} --help" for usage)\n`);
    return EXIT.usage;
  }
  const config = loaded.config;
  if (config.tui === true && !io.stdoutIsTerminal) {
    io.stderr(`${PROGRAM_NAME}: --tui needs a terminal on stdout; use --tui=false when piping\n`);
    return EXIT.usage;
  }
  const log = createLogger({
    format: config.logFormat ?? (io.stderrIsTerminal ? "text" : "json"),
    level: config.logLevel,
    sink: stderrSink,
  });
  return await runSwarm(config, io, log);
}

async function runSwarm(config: SwarmConfig, io: CliIo, log: Logger): Promise<number> {
  let caps;
  try {
    caps = await detectCapabilities(config.ffmpegPath, runCommand);
  } catch (e) {
    if (!(e instanceof FfmpegUnavailableError)) throw e;
    log.error("ffmpeg_unavailable", { error: e.message });
    io.stderr(`${PROGRAM_NAME}: ${e.message}\n`);
    return EXIT.failure;
  }
  if (config.printCmd) {
    const mapping = await chooseMapping(config, runCommand, log);
    const { command, args } = clientCommand(config, caps, mapping, 0);
    io.stdout(`# FFmpeg command client 0 runs (FFmpeg ${caps.version}):\n`);
    io.stdout([command, ...args].map(shellQuote).join(" ") + "\n");
    return EXIT.ok;
  }
  const deathSignal = await detectDeathSignalWrapper(runCommand);
  const swarm = new Swarm(config, {
    clock: systemClock,
    spawner: createProcessSpawner({ deathSignal }),
    runCommand,
    readTextFile: Deno.readTextFile,
    fetch,
    log,
    caps,
    deathSignal,
    seed: Date.now() >>> 0,
    progressLogMs: 5000,
  });
  log.info("run_started", {
    target: config.streamUrl,
    clients: config.clients,
    ramp_rate: config.rampRate,
    duration_ms: config.durationMs,
    ffmpeg: caps.version,
  });
  let interrupts = 0;
  const onSignal = (signal: Deno.Signal) => () => {
    interrupts++;
    if (interrupts === 1) swarm.stop(signal);
    else swarm.forceStop(`second ${signal}`);
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((s) => [s, onSignal(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  try {
    const summary = await swarm.run();
    io.stdout(formatSummary(summary));
    if (summary.clients.started > 0 && !summary.lifecycle.exits.some((e) => e.requested)) {
      log.error("run_failed", {
        reason: "no FFmpeg client was running when the run ended; see client_exited logs",
      });
      return EXIT.failure;
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SwarmStartError || e instanceof MetricsListenError) {
      log.error("run_not_started", { error: e.message });
      io.stderr(`${PROGRAM_NAME}: ${e.message}\n`);
      return EXIT.failure;
    }
    throw e;
  } finally {
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
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
  let origin;
  try {
    origin = await startOrigin(parsed.options, {
      log: (msg, fields) => log.info(msg, fields),
    });
  } catch (e) {
    io.stderr(`${PROGRAM_NAME} origin: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  io.stdout(`${origin.url}\n`);
  log.info("origin_ready", { url: origin.url, dir: origin.dir, access_log: origin.accessLogPath });
  const stopped = new Promise<string>((resolve) => {
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, () => resolve(s));
  });
  const outcome = await Promise.race([
    stopped.then((signal) => ({ signal, error: null as Error | null })),
    origin.finished.then(
      () => ({ signal: "", error: new Error("generator exited") }),
      (e: Error) => ({ signal: "", error: e }),
    ),
  ]);
  await origin.close();
  if (outcome.error) {
    io.stderr(`${PROGRAM_NAME} origin: ${outcome.error.message}\n`);
    return EXIT.failure;
  }
  log.info("origin_stopped", { signal: outcome.signal });
  return EXIT.ok;
}
