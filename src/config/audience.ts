/**
 * The audience's flags, `--stages` and `--session-duration`, read and checked against the flags
 * they exclude: with `--stages` the stages' peak is the viewer count and their slopes the ramp,
 * so `--clients` and `--ramp-rate` cannot be given too.
 * @module
 */
import { parseSessionDist, type SessionDist } from "./session_duration.ts";
import { parseStages, type Stage, stagesPeak } from "./stages.ts";

/** The audience part of a config. */
export interface AudienceConfig {
  /** `--stages`, or null for the plain ramp (`--clients`, `--ramp-rate`). */
  stages: Stage[] | null;
  /** `--session-duration`, or null: viewers watch until the run ends. */
  sessionDuration: SessionDist | null;
}

/**
 * Reads the audience flags from raw values (undefined: not given), appending one message per
 * problem to `errors`. `given` says whether a flag was given at all (command line or variable).
 *
 * @example
 * ```ts
 * const errors: string[] = [];
 * audienceOf("1m:200,30s:0", "exp:60s", () => false, errors).stages?.length; // 2
 * audienceOf("1m:200", "", (f) => f === "ramp-rate", errors);
 * errors; // ["stages: --ramp-rate cannot be given with --stages (the stages' slopes are the ramp)"]
 * ```
 */
export function audienceOf(
  stagesText: string,
  sessionText: string,
  given: (flag: string) => boolean,
  errors: string[],
): AudienceConfig {
  let stages: Stage[] | null = null;
  if (stagesText.trim() !== "") {
    const s = parseStages(stagesText);
    if (s.ok) stages = s.stages;
    else errors.push(`stages: ${s.error}`);
    if (given("ramp-rate")) {
      errors.push(
        "stages: --ramp-rate cannot be given with --stages (the stages' slopes are the ramp)",
      );
    }
    if (given("clients")) {
      errors.push(
        "stages: --clients cannot be given with --stages (the stages' peak is the viewer count)",
      );
    }
  }
  let sessionDuration: SessionDist | null = null;
  if (sessionText.trim() !== "") {
    const d = parseSessionDist(sessionText);
    if (d.ok) sessionDuration = d.dist;
    else errors.push(`session-duration: ${d.error}`);
  }
  return { stages, sessionDuration };
}

/** The viewer slots of a run: the stages' peak, or `--clients`. */
export function slotsOf(stages: readonly Stage[] | null, clients: number): number {
  return stages ? stagesPeak(stages) : clients;
}
