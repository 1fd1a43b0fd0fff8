import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { detectCapabilities, FfmpegUnavailableError, parseInputProtocols } from "./capabilities.ts";
import { type CommandOutput, runCommand } from "./command_runner.ts";

Deno.test("detects the installed FFmpeg for real", async () => {
  const caps = await detectCapabilities("ffmpeg", runCommand);
  assert(/^\d+\.\d+/.test(caps.version), caps.version);
  assert(caps.inputProtocols.includes("http"));
  // Debian 12's 5.1 lacks both; newer builds have both. Either way the two agree with -h output.
  const hls = await runCommand("ffmpeg", ["-hide_banner", "-h", "demuxer=hls"], 5000);
  assertEquals(caps.segMaxRetry, hls.stdout.includes("-seg_max_retry"));
});

Deno.test("an FFmpeg 8-like build is recognised from its answers", async () => {
  const answer = (stdout: string, code = 0): CommandOutput => ({
    code,
    stdout,
    stderr: "",
    timedOut: false,
  });
  const fake = (_cmd: string, args: string[]) => {
    const a = args.join(" ");
    if (a.endsWith("-version") && a.includes("datetime")) return Promise.resolve(answer(""));
    if (a.endsWith("-version")) return Promise.resolve(answer("ffmpeg version 8.0 Copyright"));
    if (a.includes("demuxer=hls")) {
      return Promise.resolve(answer("  -seg_max_retry    <int>   .D. retries\n"));
    }
    if (a.includes("protocol=http")) {
      return Promise.resolve(answer("  -reconnect_on_network_error <boolean>\n"));
    }
    return Promise.resolve(answer("Input:\n  http\n  https\nOutput:\n  file\n"));
  };
  const caps = await detectCapabilities("ffmpeg8", fake);
  assertEquals(caps, {
    path: "ffmpeg8",
    version: "8.0",
    datetimeLogFlag: true,
    segMaxRetry: true,
    reconnectOnNetworkError: true,
    inputProtocols: ["http", "https"],
  });
});

Deno.test("a missing FFmpeg is a clear error", async () => {
  let error: unknown;
  try {
    await detectCapabilities("/nonexistent/ffmpeg", runCommand);
  } catch (e) {
    error = e;
  }
  assert(error instanceof FfmpegUnavailableError);
  assertStringIncludes(error.message, 'FFmpeg not usable at "/nonexistent/ffmpeg"');
  assertStringIncludes(error.message, "apt install ffmpeg");
});

Deno.test("parseInputProtocols", () => {
  assertEquals(parseInputProtocols("Supported file protocols:\nInput:\n  a\n  b\nOutput:\n  c"), [
    "a",
    "b",
  ]);
});
