import { assertEquals } from "../testing/assert.ts";
import { REDACTED, redactorFor } from "./redact.ts";

const r = redactorFor({
  headers: ["Authorization: Bearer abc.def.ghi", "X-Api-Key: k3y-VaLuE-99", "X-Plain: visible"],
  redactHeaders: ["X-Api-Key"],
  streamUrl: "https://user:pa55word@cdn.example/live/a.m3u8?sig=s1gn4tur3&exp=1700000000",
});

Deno.test("known secret values go wherever they appear, even in FFmpeg's header echo", () => {
  const cases: [string, string][] = [
    [
      "request: GET /live/a.m3u8?sig=s1gn4tur3&exp=1700000000 HTTP/1.1",
      `request: GET /live/a.m3u8?${REDACTED} HTTP/1.1`,
    ],
    ["Authorization: Bearer abc.def.ghi", `Authorization: ${REDACTED}`],
    ["x-api-key: k3y-VaLuE-99", `x-api-key: ${REDACTED}`],
    ["X-Plain: visible", "X-Plain: visible"],
    [
      "Opening 'https://cdn.example/live/seg1.ts?sig=other' for reading",
      `Opening 'https://cdn.example/live/seg1.ts?${REDACTED}' for reading`,
    ],
    ["https://user:pa55word@cdn.example/x.m3u8", `https://${REDACTED}@cdn.example/x.m3u8`],
    ["https://bob:hunter22@other.example/x.m3u8", `https://${REDACTED}@other.example/x.m3u8`],
    ["the token was s1gn4tur3", `the token was ${REDACTED}`],
    ["what? no path here", "what? no path here"],
  ];
  assertEquals(cases.map(([input]) => r.text(input)), cases.map(([, out]) => out));
});

Deno.test("values deep in records, and whether a text holds anything secret", () => {
  assertEquals(
    r.value({ argv: ["-headers", "Authorization: Bearer abc.def.ghi\r\n"], n: 3, ok: null }),
    { argv: ["-headers", `Authorization: ${REDACTED}\r\n`], n: 3, ok: null },
  );
  assertEquals(r.holdsSecrets("https://cdn.example/live/a.m3u8"), false);
  assertEquals(r.holdsSecrets("https://cdn.example/live/a.m3u8?sig=1"), true);
});
