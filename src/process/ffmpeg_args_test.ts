import { loadConfig } from "../config/load.ts";
import type { SwarmConfig } from "../config/config.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { buildFfmpegArgs, effectiveUrl, logLevelArg, type StreamMapping } from "./ffmpeg_args.ts";

const URL_OK = "http://origin.test:17080/live/stream.m3u8";
const FFMPEG_51 = { datetimeLogFlag: false, segMaxRetry: false, reconnectOnNetworkError: true };
const FFMPEG_80 = { datetimeLogFlag: true, segMaxRetry: true, reconnectOnNetworkError: true };
const TLS = { verify: true, caFile: "/etc/ssl/certs/ca-certificates.crt" };

function config(raw: Record<string, string | boolean | string[]> = {}): SwarmConfig {
  const r = loadConfig(raw, URL_OK);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

function valueOf(args: string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i < 0 ? undefined : args[i + 1];
}

Deno.test("default command on FFmpeg 5.1: trace level, progress on stdout, no 5.1-only gaps", () => {
  const args = buildFfmpegArgs(0, config(), FFMPEG_51, { kind: "all" }, TLS);
  assertEquals(args, [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "repeat+level+trace",
    "-progress",
    "pipe:1",
    "-stats_period",
    "1",
    "-reconnect",
    "1",
    "-reconnect_streamed",
    "1",
    "-reconnect_on_network_error",
    "1",
    "-reconnect_delay_max",
    "5",
    "-rw_timeout",
    "15000000",
    "-user_agent",
    `${config().userAgent}/client-0`,
    "-i",
    URL_OK,
    "-map",
    "0",
    "-c",
    "copy",
    "-f",
    "null",
    "-",
  ]);
});

Deno.test("FFmpeg 8 capabilities add datetime and -seg_max_retry", () => {
  const args = buildFfmpegArgs(3, config({ "seg-retry": "7" }), FFMPEG_80, { kind: "all" }, TLS);
  assertEquals(valueOf(args, "-loglevel"), "repeat+level+datetime+trace");
  assertEquals(valueOf(args, "-seg_max_retry"), "7");
  assert(valueOf(args, "-user_agent")!.endsWith("/client-3"));
});

Deno.test("every client, client 0 included, has its own /client-N user agent", () => {
  const uas = [0, 1, 19].map((id) =>
    valueOf(buildFfmpegArgs(id, config(), FFMPEG_51, { kind: "all" }, TLS), "-user_agent")
  );
  assertEquals(uas.map((ua) => ua!.split("/").pop()), ["client-0", "client-1", "client-19"]);
});

Deno.test("variant mappings", () => {
  const cases: [StreamMapping, string[]][] = [
    [{ kind: "all" }, ["-map", "0"]],
    [{ kind: "first" }, ["-map", "0:v:0?", "-map", "0:a:0?"]],
    [{ kind: "program", programId: 2 }, ["-map", "0:p:2"]],
  ];
  for (const [mapping, expected] of cases) {
    const args = buildFfmpegArgs(0, config(), FFMPEG_51, mapping, TLS);
    assertEquals(args.slice(args.indexOf(URL_OK) + 1, -5), expected);
  }
});

Deno.test("headers: Host for --resolve, then no-cache, then --header, CRLF-terminated", () => {
  const cfg = config({
    resolve: "192.0.2.7",
    dangerous: true,
    "no-cache": true,
    header: ["X-Token: abc"],
  });
  const args = buildFfmpegArgs(0, cfg, FFMPEG_51, { kind: "all" }, TLS);
  assertEquals(
    valueOf(args, "-headers"),
    "Host: origin.test:17080\r\nCache-Control: no-cache, no-store, must-revalidate\r\n" +
      "Pragma: no-cache\r\nX-Token: abc\r\n",
  );
  assertEquals(valueOf(args, "-i"), "http://192.0.2.7:17080/live/stream.m3u8");
  assertEquals(args.includes("-tls_verify"), false, "plain http has no TLS options");
});

Deno.test("https verifies by default against the bundle; --dangerous turns it off", () => {
  const https = (raw: Record<string, string | boolean>) => {
    const r = loadConfig(raw, "https://cdn.test/live/a.m3u8");
    if (!r.ok) throw new Error(r.errors.join("\n"));
    return r.config;
  };
  const verified = buildFfmpegArgs(0, https({}), FFMPEG_51, { kind: "all" }, TLS);
  assertEquals(valueOf(verified, "-tls_verify"), "1");
  assertEquals(valueOf(verified, "-ca_file"), TLS.caFile);
  const off = buildFfmpegArgs(0, https({ dangerous: true }), FFMPEG_51, { kind: "all" }, {
    verify: false,
    caFile: null,
  });
  assertEquals(valueOf(off, "-tls_verify"), "0");
  assertEquals(off.includes("-ca_file"), false);
});

Deno.test("--resolve brackets IPv6 and keeps the port", () => {
  assertEquals(
    effectiveUrl("https://cdn.test:8443/a.m3u8?x=1", "::1"),
    "https://[::1]:8443/a.m3u8?x=1",
  );
  assertEquals(effectiveUrl(URL_OK, ""), URL_OK);
});

Deno.test("--reconnect=false, --stats=false, --timeout and --stats-loglevel", () => {
  const args = buildFfmpegArgs(
    0,
    config({ reconnect: false, stats: false, timeout: "2.5s" }),
    FFMPEG_51,
    { kind: "all" },
    TLS,
  );
  assertEquals(args.includes("-reconnect"), false);
  assertEquals(args.includes("-progress"), false);
  assertEquals(valueOf(args, "-loglevel"), "repeat+level+info");
  assertEquals(valueOf(args, "-rw_timeout"), "2500000");
  assertEquals(logLevelArg(true, "debug", false), "repeat+level+debug");
});

Deno.test("an FFmpeg without -reconnect_on_network_error gets the rest of the reconnect options", () => {
  const caps = { ...FFMPEG_51, reconnectOnNetworkError: false };
  const args = buildFfmpegArgs(0, config(), caps, { kind: "all" }, TLS);
  assertEquals(args.includes("-reconnect_on_network_error"), false);
  assertEquals(valueOf(args, "-reconnect_delay_max"), "5");
});

Deno.test("--cmcd: each client its own CMCD-Session sid, merged with the user's CMCD keys", () => {
  const plain = buildFfmpegArgs(2, config(), FFMPEG_51, { kind: "all" }, TLS);
  assertEquals(valueOf(plain, "-headers"), undefined, "off by default: no header at all");
  const cfg = config({
    cmcd: true,
    "run-id": "run-x",
    "no-cache": true,
    header: ["X-Token: abc", "cmcd-session: st=l,sf=h"],
  });
  const headers = (id: number) =>
    valueOf(buildFfmpegArgs(id, cfg, FFMPEG_51, { kind: "all" }, TLS), "-headers");
  assertEquals(
    headers(0),
    "Cache-Control: no-cache, no-store, must-revalidate\r\nPragma: no-cache\r\n" +
      'X-Token: abc\r\nCMCD-Session: sf=h,sid="run-x-0",st=l\r\n',
  );
  assert(headers(17)!.includes('CMCD-Session: sf=h,sid="run-x-17",st=l\r\n'));
  // Only one CMCD-Session line: the user's is replaced by the merged one.
  assertEquals(headers(17)!.toLowerCase().split("cmcd-session").length, 2);
  // Without a user CMCD header the sid is the whole value, and the run id is the run's.
  const bare = config({ cmcd: true });
  const only = valueOf(buildFfmpegArgs(5, bare, FFMPEG_51, { kind: "all" }, TLS), "-headers");
  assertEquals(only, `CMCD-Session: sid="${bare.runId}-5"\r\n`);
});
