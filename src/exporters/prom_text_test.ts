import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { parsePromText, type PromSample } from "./prom_text.ts";

function samples(text: string, family: string): PromSample[] {
  const result = parsePromText(text);
  assertEquals(result.errors, []);
  const f = result.families.get(family);
  assert(f, `family ${family} missing`);
  return f.samples;
}

Deno.test("parsePromText reads HELP, TYPE and labelled samples", () => {
  const text = [
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
    "# TYPE node_cpu_seconds_total counter",
    'node_cpu_seconds_total{cpu="0",mode="idle"} 1771.12',
    'node_cpu_seconds_total{cpu="0",mode="user"} 584.88',
    "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.",
    "# TYPE node_memory_MemTotal_bytes gauge",
    "node_memory_MemTotal_bytes 2.5276502016e+10",
    "",
  ].join("\n");
  const r = parsePromText(text);
  assertEquals(r.errors, []);
  assertEquals(r.invalidLines, 0);
  assertEquals(r.sampleCount, 3);
  assertEquals([...r.families.keys()], ["node_cpu_seconds_total", "node_memory_MemTotal_bytes"]);
  const cpu = r.families.get("node_cpu_seconds_total")!;
  assertEquals(cpu.type, "counter");
  assertEquals(cpu.help, "Seconds the CPUs spent in each mode.");
  assertEquals(cpu.samples[1], {
    name: "node_cpu_seconds_total",
    labels: { cpu: "0", mode: "user" },
    value: 584.88,
  });
  assertEquals(r.families.get("node_memory_MemTotal_bytes")!.samples[0].value, 25276502016);
});

Deno.test("parsePromText unescapes label values and HELP text", () => {
  const s = samples(
    [
      "# HELP m A \\\\ backslash,\\nnewline and \\q kept",
      String.raw`m{path="C:\\dir",quote="say \"hi\"",nl="a\nb",brace="}{,="} 1`,
    ].join("\n"),
    "m",
  );
  assertEquals(s[0].labels, { path: "C:\\dir", quote: 'say "hi"', nl: "a\nb", brace: "}{,=" });
  assertEquals(
    parsePromText("# HELP m A \\\\ backslash,\\nnewline and \\q kept").families.get("m")!.help,
    "A \\ backslash,\nnewline and \\q kept",
  );
});

Deno.test("parsePromText reads NaN, infinities, exponents and signs", () => {
  const s = samples(
    ['m{k="a"} NaN', 'm{k="b"} +Inf', 'm{k="c"} -Inf', 'm{k="d"} 1.5e-3', 'm{k="e"} -2E+2']
      .concat(['m{k="f"} .5', 'm{k="g"} 7', 'm{k="h"} nan', 'm{k="i"} 3.'])
      .join("\n"),
    "m",
  );
  const values = s.map((x) => x.value);
  assert(Number.isNaN(values[0]));
  assertEquals(values.slice(1), [Infinity, -Infinity, 0.0015, -200, 0.5, 7, NaN, 3]);
});

Deno.test("parsePromText reads timestamps, whitespace, CRLF and trailing commas", () => {
  const s = samples(
    [
      "m 1 1700000000000",
      'm{a="1",} 2 -5',
      '  m { a = "2" , b="3" }\t4\t ',
      "m{} 5\r",
      "m 6",
    ].join("\n"),
    "m",
  );
  assertEquals(s.map((x) => x.timestampMs), [1700000000000, -5, undefined, undefined, undefined]);
  assertEquals(s.map((x) => x.value), [1, 2, 4, 5, 6]);
  assertEquals(s[2].labels, { a: "2", b: "3" });
  assertEquals(s[3].labels, {});
});

Deno.test("parsePromText groups histogram and summary samples into their family", () => {
  const text = `
# HELP req_seconds Request latency.
# TYPE req_seconds histogram
req_seconds_bucket{le="0.1"} 3
req_seconds_bucket{le="+Inf"} 5
req_seconds_sum 0.9
req_seconds_count 5
# TYPE rpc summary
rpc{quantile="0.5"} 0.2
rpc{quantile="0.99"} NaN
rpc_sum 12
rpc_count 40
# a comment that is neither HELP nor TYPE
# HELPFUL is not HELP either
other_count 1
`;
  const r = parsePromText(text);
  assertEquals(r.errors, []);
  assertEquals([...r.families.keys()], ["req_seconds", "rpc", "other_count"]);
  const h = r.families.get("req_seconds")!;
  assertEquals(h.type, "histogram");
  assertEquals(h.samples.map((s) => s.name), [
    "req_seconds_bucket",
    "req_seconds_bucket",
    "req_seconds_sum",
    "req_seconds_count",
  ]);
  assertEquals(h.samples[1].labels.le, "+Inf");
  const sm = r.families.get("rpc")!;
  assertEquals(sm.type, "summary");
  assertEquals(sm.samples.length, 4);
  assertEquals(r.families.get("other_count")!.type, "untyped");
});

Deno.test("parsePromText keeps a label named __proto__", () => {
  const s = samples('m{__proto__="x"} 1', "m");
  assertEquals(Object.keys(s[0].labels), ["__proto__"]);
  assertEquals(Object.getOwnPropertyDescriptor(s[0].labels, "__proto__")?.value, "x");
});

Deno.test("parsePromText reports each invalid line with its number and keeps the rest", () => {
  const text = [
    "good 1", // 1
    "bad-name 1", // 2
    'm{a="x} 1', // 3
    'm{a="\\t"} 1', // 4
    'm{a="1",a="2"} 1', // 5
    "m 0x10", // 6
    "m", // 7
    "m 1 2 3", // 8
    "m 1 1.5", // 9
    "# TYPE m bogus", // 10
    'm{1a="x"} 1', // 11
    "m{a=x} 1", // 12
    "good 2", // 13
  ].join("\n");
  const r = parsePromText(text, { maxErrors: 100 });
  assertEquals(r.sampleCount, 2);
  assertEquals(r.invalidLines, 11);
  assertEquals(r.errors.map((e) => e.line), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const expected: [number, string][] = [
    [3, "unterminated"],
    [4, "invalid escape"],
    [5, "duplicate label a"],
    [6, "invalid value"],
    [7, "no value"],
    [8, "after the timestamp"],
    [9, "invalid timestamp"],
    [10, "unknown type"],
  ];
  for (const [line, part] of expected) {
    assertStringIncludes(r.errors.find((e) => e.line === line)!.reason, part);
  }
  assertEquals(r.families.get("good")!.samples.map((s) => s.value), [1, 2]);
});

Deno.test("parsePromText rejects misplaced TYPE lines and malformed histogram parts", () => {
  const r = parsePromText(
    [
      "m 1",
      "# TYPE m gauge", // after samples
      "# TYPE h histogram",
      "# TYPE h counter", // second TYPE
      "h_bucket 1", // no le
      'h_bucket{le="x"} 1', // le not a number
      "h 1", // histogram without suffix
      "# TYPE s summary",
      "s 1", // no quantile
    ].join("\n"),
    { maxErrors: 100 },
  );
  assertEquals(r.errors.map((e) => e.line), [2, 4, 5, 6, 7, 9]);
  assertEquals(r.families.get("m")!.type, "untyped");
});

Deno.test("parsePromText survives HTML and random bytes with a bounded error list", () => {
  const html = parsePromText("<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");
  assertEquals(html.sampleCount, 0);
  assertEquals(html.invalidLines, 2);
  assertEquals(html.errors[0].line, 1);
  assertStringIncludes(html.errors[0].reason, "invalid metric name");

  const bytes = new Uint8Array(64 * 1024);
  for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i));
  const garbage = parsePromText(new TextDecoder().decode(bytes), { maxErrors: 3 });
  assert(garbage.invalidLines > 0);
  assert(garbage.errors.length <= 3);
  for (const e of garbage.errors) assert(e.text.length <= 120);

  // Pathological but valid-looking input stays linear: one huge label value.
  const t0 = performance.now();
  const big = parsePromText(`m{a="${"\\\\".repeat(200_000)}"} 1\n`.repeat(5));
  assertEquals(big.sampleCount, 5);
  assertEquals(big.families.get("m")!.samples[0].labels.a.length, 200_000);
  const long = parsePromText(`m{a="${"x".repeat(1_000_000)}"} 1\n{{{{${"{".repeat(1_000_000)}`);
  assertEquals(long.sampleCount, 1);
  assertEquals(long.invalidLines, 1);
  // Generous: the point is "linear, no hang", not a benchmark on a loaded machine.
  assert(performance.now() - t0 < 5000);
});

Deno.test("parsePromText handles empty input and blank lines", () => {
  for (const text of ["", "\n\n", "   \n\t\n"]) {
    const r = parsePromText(text);
    assertEquals(r.families.size, 0);
    assertEquals(r.invalidLines, 0);
  }
});
