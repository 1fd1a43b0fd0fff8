/**
 * The built-in test origin of hls-swarm: one FFmpeg process producing a live HLS stream
 * (optionally a two-rendition ABR ladder) served over HTTP/1.1 with an access log and
 * injectable segment failures.
 *
 * @example
 * ```ts
 * import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "./mod.ts";
 * const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
 * console.log(origin.url); // http://127.0.0.1:<port>/stream.m3u8
 * await origin.close();
 * ```
 *
 * @module
 */

export {
  DEFAULT_ORIGIN_OPTIONS,
  type OriginOptions,
  SEGMENT_TYPES,
  type SegmentType,
  validateOriginOptions,
} from "./options.ts";
export { type OriginDeps, type RunningOrigin, startOrigin } from "./origin.ts";
export { runOriginUntilSignal } from "./run.ts";
export { buildGeneratorArgs, type GeneratorVariant, generatorVariants } from "./generator.ts";
export { type AccessLogEntry, formatAccessLogLine, parseAccessLogLine } from "./access_log.ts";
export { type Fault, FaultPlan, parseFault } from "./faults.ts";
export { handleOriginRequest, type OriginHandlerOptions } from "./server.ts";
