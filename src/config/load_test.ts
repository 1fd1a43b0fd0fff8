import { assert, assertEquals } from "../testing/assert.ts";
import { loadConfig } from "./load.ts";

const URL_OK = "http://127.0.0.1:17080/stream.m3u8";

Deno.test("defaults match the Go tool's, with our fixes", () => {
  const r = loadConfig({}, URL_OK);
  assert(r.ok);
  const c = r.config;
  assertEquals([c.clients, c.rampRate, c.rampJitterMs, c.durationMs], [10, 5, 200, 0]);
  assertEquals([c.variant, c.probeFailurePolicy, c.timeoutMs], ["all", "fallback", 15_000]);
  assertEquals([c.reconnect, c.reconnectDelayMaxSeconds, c.segMaxRetry], [true, 5, 3]);
  assertEquals([c.stats, c.statsBufferLines, c.statsDropThreshold], [true, 1000, 0.01]);
  assertEquals(c.metricsAddr, { hostname: "127.0.0.1", port: 17091 });
  assertEquals([c.tui, c.logFormat, c.logLevel], [null, null, "info"]);
  assertEquals(c.userAgent.startsWith("hls-swarm/"), true);
});

Deno.test("every problem is reported at once, one line each", () => {
  const r = loadConfig({
    clients: "0",
    "ramp-rate": "abc",
    "ramp-jitter": "100",
    variant: "best",
    "variant-mix": "1080p=50%",
    resolve: ["other.example:80:10.0.0.1"],
    metrics: "nope",
    "stats-drop-threshold": "2",
  }, "ftp://x/y.m3u8");
  assert(!r.ok);
  assertEquals(r.errors, [
    "clients: must be at least 1 (got 0)",
    'ramp-rate: not a number: "abc"',
    'ramp-jitter: needs a unit, e.g. "100s" or "100ms"',
    'variant: must be one of all, highest, lowest, first (got "best")',
    "variant-mix: the shares add up to 50 %, not 100 %",
    "resolve: other.example:80 is not the stream's x:80; only the stream URL's own host can be " +
    "pinned (FFmpeg looks up any other host itself)",
    "stats-drop-threshold: must be between 0 and 1 (got 2)",
    'metrics: expected host:port, e.g. 127.0.0.1:17091 (got "nope")',
    'stream URL: scheme must be http or https (got "ftp")',
  ]);
});

Deno.test("the URL is required unless --print-cmd", () => {
  const r = loadConfig({}, undefined);
  assert(!r.ok);
  assertEquals(r.errors, ["stream URL: required (give it as an argument or set HLS_SWARM_URL)"]);
  assert(loadConfig({ "print-cmd": true }, undefined).ok);
  const bad = loadConfig({}, "not a url");
  assert(!bad.ok);
  assertEquals(bad.errors, ['stream URL: not a valid URL: "not a url"']);
});

Deno.test("--check runs one client for 10 s with debug logs", () => {
  const r = loadConfig({ check: true, clients: "50" }, URL_OK);
  assert(r.ok);
  assertEquals([r.config.clients, r.config.durationMs, r.config.logLevel], [1, 10_000, "debug"]);
});

Deno.test("headers must be single-line Name: value; a bad one is named, never quoted", () => {
  const headers = [
    "X-Ok: 1",
    "Bearer t0k3n-no-colon",
    "Bad Name: t0k3n-2",
    "X-A: 1\r\nX-B: t0k3n-3",
  ];
  const r = loadConfig({ header: headers }, URL_OK);
  assert(!r.ok);
  const tail = 'expected "Name: value" (not shown: it may be secret)';
  assertEquals(r.errors, [
    `header: --header #2 of 4 has no ':'; ${tail}`,
    `header: --header #3 of 4 has a name with characters a header name cannot have; ${tail}`,
    `header: --header #4 of 4 spans more than one line; ${tail}`,
  ]);
  const env = loadConfig({ header: ["Authorization t0k3n"] }, URL_OK, undefined, {
    header: "HEADERS",
  });
  assertEquals(!env.ok && env.errors, [`header: header 1 of 1 in HEADERS has no ':'; ${tail}`]);
});

Deno.test("URLs that fail to parse are config errors quoted without user info or query", () => {
  const cases: [Record<string, string>, string | undefined, string][] = [
    [
      {},
      "http://u:pw-s3cr3t@h:99999/x.m3u8?t=tok-s3cr3t",
      `stream URL: not a valid URL: "http://<redacted>@h:99999/x.m3u8?<redacted>"`,
    ],
    [{}, "http://u:pw-s3cr3t@/x.m3u8", `stream URL: not a valid URL: "http://<redacted>@/x.m3u8"`],
    [
      { "origin-metrics": "http://u:pw-s3cr3t@node:99999/metrics?k=tok-s3cr3t" },
      URL_OK,
      `origin-metrics: not a valid URL: "http://<redacted>@node:99999/metrics?<redacted>"`,
    ],
    [
      { "nginx-metrics": "http://[nginx:9113/metrics?k=tok-s3cr3t" },
      URL_OK,
      `nginx-metrics: not a valid URL: "http://[nginx:9113/metrics?<redacted>"`,
    ],
    [
      { "origin-metrics": "ftp://node/metrics" },
      URL_OK,
      'origin-metrics: scheme must be http or https (got "ftp")',
    ],
  ];
  for (const [raw, url, error] of cases) {
    const r = loadConfig(raw, url);
    assertEquals(!r.ok && r.errors, [error]);
  }
});

Deno.test("metrics off, port 0 and IPv6 listen addresses", () => {
  const off = loadConfig({ metrics: "off" }, URL_OK);
  assert(off.ok);
  assertEquals(off.config.metricsAddr, null);
  const v6 = loadConfig({ metrics: "[::1]:0" }, URL_OK);
  assert(v6.ok);
  assertEquals(v6.config.metricsAddr, { hostname: "::1", port: 0 });
  // A bare port stays on loopback, like the default; all interfaces is asked for by name.
  const port = loadConfig({ metrics: ":9000" }, URL_OK);
  assert(port.ok);
  assertEquals(port.config.metricsAddr, { hostname: "127.0.0.1", port: 9000 });
  const all = loadConfig({ metrics: "0.0.0.0:9000" }, URL_OK);
  assert(all.ok);
  assertEquals(all.config.metricsAddr, { hostname: "0.0.0.0", port: 9000 });
});

Deno.test("-v means debug logging; --tui=false is remembered as false", () => {
  const r = loadConfig({ verbose: true, tui: false }, URL_OK);
  assert(r.ok);
  assertEquals([r.config.logLevel, r.config.tui], ["debug", false]);
});

Deno.test("--cache-header and --edge-header take one header name; a name with a value is not echoed", () => {
  const ok = loadConfig({ "cache-header": "X-My-Cache", "edge-header": "X-Pop" }, URL_OK);
  assert(ok.ok);
  assertEquals([ok.config.cacheHeader, ok.config.edgeHeader], ["X-My-Cache", "X-Pop"]);
  const none = loadConfig({}, URL_OK);
  assert(none.ok);
  assertEquals([none.config.cacheHeader, none.config.edgeHeader], [null, null]);
  const bad = loadConfig({ "cache-header": "Authorization: Bearer s3cr3t" }, URL_OK);
  assert(!bad.ok);
  assertEquals(bad.errors.length, 1);
  assert(bad.errors[0].startsWith("cache-header: expected one header name"), bad.errors[0]);
  assert(!bad.errors[0].includes("s3cr3t"), bad.errors[0]);
});
