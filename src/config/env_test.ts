import { assertEquals } from "../testing/assert.ts";
import { applyEnvironment, parseBoolWord } from "./env.ts";
import type { RawFlags } from "./load.ts";

Deno.test("variables fill flags the command line did not give", () => {
  const raw: RawFlags = { clients: "7" };
  const errors: string[] = [];
  applyEnvironment(raw, new Set(["clients"]), {
    CLIENTS: "50",
    RAMP_RATE: "20",
    DURATION: "5m",
    NO_CACHE: "true",
    TUI: "false",
    HEADERS: "X-A: 1\nX-B: 2\n",
    LOG_LEVEL: "debug",
  }, errors);
  assertEquals(errors, []);
  assertEquals(raw, {
    clients: "7",
    "ramp-rate": "20",
    duration: "5m",
    "no-cache": true,
    tui: false,
    header: ["X-A: 1", "X-B: 2"],
    "log-level": "debug",
  });
});

Deno.test("METRICS_PORT sets the metrics port unless METRICS_ADDR or --metrics is given", () => {
  const raw: RawFlags = {};
  applyEnvironment(raw, new Set(), { METRICS_PORT: "9090" }, []);
  assertEquals(raw.metrics, "0.0.0.0:9090");
  const withAddr: RawFlags = {};
  applyEnvironment(withAddr, new Set(), { METRICS_PORT: "9090", METRICS_ADDR: "127.0.0.1:1" }, []);
  assertEquals(withAddr.metrics, "127.0.0.1:1");
  const withFlag: RawFlags = { metrics: "127.0.0.1:2" };
  applyEnvironment(withFlag, new Set(["metrics"]), { METRICS_PORT: "9090" }, []);
  assertEquals(withFlag.metrics, "127.0.0.1:2");
});

Deno.test("a boolean variable that is not a boolean is an error naming the variable", () => {
  const errors: string[] = [];
  applyEnvironment({}, new Set(), { DANGEROUS: "sure" }, errors);
  assertEquals(errors, ['DANGEROUS: expected true or false (got "sure")']);
});

Deno.test("parseBoolWord", () => {
  assertEquals(["1", "TRUE", "yes", "on"].map(parseBoolWord), [true, true, true, true]);
  assertEquals(["0", "false", "No", "off"].map(parseBoolWord), [false, false, false, false]);
  assertEquals(parseBoolWord("2"), undefined);
});
