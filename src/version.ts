/**
 * The hls-swarm version. The one place it is written: deno.json's "version" is checked against it
 * by a test, and builds embed it through this module.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`hls-swarm ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";

/** Program name used in help, logs and the default User-Agent. */
export const PROGRAM_NAME = "hls-swarm";
