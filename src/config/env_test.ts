import { swarmConfig } from "../cli/swarm_config.ts";
import { assertEquals } from "../testing/assert.ts";
import { applyEnvironment, parseBoolWord } from "./env.ts";
import type { RawFlags } from "./load.ts";

const URL = "http://127.0.0.1:17080/stream.m3u8";

Deno.test("variables fill flags the command line did not give; canonical beats alias", () => {
  const raw: RawFlags = { clients: "7" };
  const r = applyEnvironment(raw, new Set(["clients"]), {
    HLS_SWARM_CLIENTS: "50",
    HLS_SWARM_RAMP_RATE: "20",
    RAMP_RATE: "99",
    DURATION: "5m",
    HLS_SWARM_NO_CACHE: "true",
    TUI: "false",
    HEADERS: "X-A: 1\nX-B: 2\n",
    HLS_SWARM_LOG_LEVEL: "debug",
  });
  assertEquals(r.errors, []);
  assertEquals(raw, {
    clients: "7",
    "ramp-rate": "20",
    duration: "5m",
    "no-cache": true,
    tui: false,
    header: ["X-A: 1", "X-B: 2"],
    "log-level": "debug",
  });
  assertEquals([...r.fromAlias.keys()], ["duration", "tui"]);
  assertEquals(r.sources.header, "HEADERS");
});

Deno.test("the metrics port variable sets the metrics port unless the address is set", () => {
  const raw: RawFlags = {};
  applyEnvironment(raw, new Set(), { METRICS_PORT: "9090" });
  // The Go tool's variable, which the image sets: all interfaces, unlike the loopback default.
  assertEquals(raw.metrics, "0.0.0.0:9090");
  const withAddr: RawFlags = {};
  applyEnvironment(withAddr, new Set(), {
    HLS_SWARM_METRICS_PORT: "9090",
    METRICS_ADDR: "127.0.0.1:1",
  });
  assertEquals(withAddr.metrics, "127.0.0.1:1");
  const withFlag: RawFlags = { metrics: "127.0.0.1:2" };
  applyEnvironment(withFlag, new Set(["metrics"]), { METRICS_PORT: "9090" });
  assertEquals(withFlag.metrics, "127.0.0.1:2");
});

Deno.test("a bad canonical boolean is an error naming the variable; a bad alias only a warning", () => {
  const r = applyEnvironment({}, new Set(), { HLS_SWARM_DANGEROUS: "sure", STATS: "maybe" });
  assertEquals(r.errors, ['HLS_SWARM_DANGEROUS: expected true or false (got "sure")']);
  assertEquals(r.warnings, ['STATS: expected true or false (got "maybe"); ignored']);
});

Deno.test("a CI's TIMEOUT=30 does not stop a run; HLS_SWARM_TIMEOUT=30 does", () => {
  const alias = swarmConfig({}, new Set(), URL, { TIMEOUT: "30", CLIENTS: "3" });
  assertEquals(alias.ok, true);
  if (alias.ok) assertEquals([alias.config.timeoutMs, alias.config.clients], [15_000, 3]);
  assertEquals(alias.warnings, [
    'TIMEOUT="30" ignored (timeout: needs a unit, e.g. "30s" or "30ms"); hls-swarm reads ' +
    "HLS_SWARM_TIMEOUT, and TIMEOUT only as the Go tool's alias",
  ]);
  const canonical = swarmConfig({}, new Set(), URL, { HLS_SWARM_TIMEOUT: "30" });
  assertEquals(canonical.ok, false);
  if (!canonical.ok) {
    assertEquals(canonical.errors, ['timeout: needs a unit, e.g. "30s" or "30ms"']);
  }
});

Deno.test("a bad HEADERS line is an error, like HLS_SWARM_HEADER's, and quotes no token", () => {
  const token = "Bearer t0k3n-SECRET-1";
  const env = { HEADERS: `Authorization: ${token}\nX-Api-Key t0k3n-SECRET-2` };
  const r = swarmConfig({}, new Set(), URL, env);
  assertEquals(r.ok, false);
  assertEquals(r.warnings, []);
  assertEquals(!r.ok && r.errors, [
    "header: header 2 of 2 in HEADERS has no ':'; " +
    'expected "Name: value" (not shown: it may be secret)',
  ]);
  const canonical = swarmConfig({}, new Set(), URL, { HLS_SWARM_HEADER: env.HEADERS });
  assertEquals(!canonical.ok && canonical.errors.length, 1);
});

Deno.test("the shard comes from --shard, or from JOB_COMPLETION_INDEX with --shards", () => {
  const k8s = swarmConfig({}, new Set(), URL, { JOB_COMPLETION_INDEX: "2", HLS_SWARM_SHARDS: "4" });
  assertEquals(k8s.ok && k8s.config.shard, { index: 2, count: 4 });
  const bad = swarmConfig({ shard: "4/4" }, new Set(["shard"]), URL, {});
  assertEquals(!bad.ok && bad.errors, [
    'shard: expected I/N with 0 <= I < N, e.g. 0/4 (got "4/4")',
  ]);
  const noIndex = swarmConfig({}, new Set(), URL, { HLS_SWARM_SHARDS: "4" });
  assertEquals(
    !noIndex.ok && noIndex.errors,
    ["shards: needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or --shard I/N"],
  );
});

Deno.test("parseBoolWord", () => {
  assertEquals(["1", "TRUE", "yes", "on"].map(parseBoolWord), [true, true, true, true]);
  assertEquals(["0", "false", "No", "off"].map(parseBoolWord), [false, false, false, false]);
  assertEquals(parseBoolWord("2"), undefined);
});
