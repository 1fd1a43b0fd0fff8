import { assertEquals } from "../testing/assert.ts";
import { urlSecrets } from "../secrets/extract.ts";
import { flagValues, rawRedactor } from "./raw_redactor.ts";
import { REDACTED, safeUrl } from "../secrets/redact.ts";

Deno.test("URLs that do not parse still give up their user info and query", () => {
  const bad = "http://bob:pa%20ss@host:99999/a.m3u8?token=t0k3n-abc&v=1";
  let parses = true;
  try {
    new URL(bad);
  } catch {
    parses = false;
  }
  assertEquals(parses, false);
  assertEquals(urlSecrets(bad), [
    "bob:pa%20ss",
    "pa%20ss",
    "pa ss",
    "token=t0k3n-abc&v=1",
    "t0k3n-abc",
  ]);
  assertEquals(safeUrl(bad), `http://${REDACTED}@host:99999/a.m3u8?${REDACTED}`);
  assertEquals(safeUrl("not a url"), "not a url");
  assertEquals(safeUrl("http://h:1:2/x"), "http://h:1:2/x");
});

Deno.test("flag values in both spellings", () => {
  assertEquals(
    flagValues(["--header", "A: 1", "-header=B: 2", "--headers", "x", "--header"], "header"),
    ["A: 1", "B: 2"],
  );
});

Deno.test("the raw redactor knows every secret of argv, EXTRA_ARGS and the variables", () => {
  const r = rawRedactor(
    [
      "--header",
      "Authorization: Bearer argv-bearer-111",
      "--header=X-Api-Key: argv-key-222",
      "--header",
      "no-colon-tok3n-333",
      "http://u:argv-pass-444@h:99999/x?sig=argv-sig-555",
    ],
    {
      HLS_SWARM_EXTRA_ARGS: "--redact-header x-api-key --origin-metrics 'http://m/x?k=extra-666'",
      HEADERS: "Cookie: env-cookie-777\nbroken env-line-888",
      HLS_SWARM_URL: "https://cdn/x.m3u8?token=env-url-999",
      ORIGIN_METRICS: "http://me:env-pw-000@node:9100/metrics",
      PATH: "/usr/bin?not-a-secret-path",
    },
  );
  const secrets = [
    "argv-bearer-111",
    "argv-key-222",
    "no-colon-tok3n-333",
    "argv-pass-444",
    "argv-sig-555",
    "extra-666",
    "env-cookie-777",
    "broken env-line-888",
    "env-url-999",
    "env-pw-000",
  ];
  assertEquals(secrets.map((s) => r.text(`x ${s} y`)), secrets.map(() => `x ${REDACTED} y`));
  assertEquals(r.text("not-a-secret-path"), "not-a-secret-path");
  assertEquals(r.text("X-Api-Key: other"), `X-Api-Key: ${REDACTED}`);
});
