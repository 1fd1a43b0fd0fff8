import { assertEquals } from "../testing/assert.ts";
import { secretWarning, splitSecrets } from "./credentials.ts";

const PLAIN = "https://cdn.example/live/a.m3u8";

/** One run's flags → which variables go into the Secret. */
const CASES: {
  name: string;
  headers?: string[];
  redactHeaders?: string[];
  url?: string;
  extra?: Record<string, string>;
  secret: string[];
}[] = [
  { name: "no credential: no Secret", headers: ["X-Load-Test: hls-swarm"], secret: [] },
  { name: "Authorization", headers: ["Authorization: Bearer Xx1"], secret: ["HLS_SWARM_HEADER"] },
  { name: "cookie, any case", headers: ["cookie: s=Ck1"], secret: ["HLS_SWARM_HEADER"] },
  {
    name: "Proxy-Authorization",
    headers: ["Proxy-Authorization: Basic Pp1"],
    secret: ["HLS_SWARM_HEADER"],
  },
  {
    name: "a --redact-header header, and the names themselves",
    headers: ["X-Api-Key: Kk1"],
    redactHeaders: ["x-api-key"],
    secret: ["HLS_SWARM_HEADER", "HLS_SWARM_REDACT_HEADER"],
  },
  { name: "a URL query", url: `${PLAIN}?token=T`, secret: ["HLS_SWARM_URL"] },
  { name: "a URL's user info", url: "https://u:P@cdn.example/a.m3u8", secret: ["HLS_SWARM_URL"] },
  { name: "a URL's user alone", url: "https://u@cdn.example/a.m3u8", secret: ["HLS_SWARM_URL"] },
  { name: "a query without a path", url: "https://cdn.example?sig=S", secret: ["HLS_SWARM_URL"] },
  {
    name: "a credential repeated in another setting",
    headers: ["Authorization: Bearer repeated-token"],
    extra: { HLS_SWARM_USER_AGENT: "agent repeated-token" },
    secret: ["HLS_SWARM_HEADER", "HLS_SWARM_USER_AGENT"],
  },
];

Deno.test("splitSecrets: credentials go to the Secret, the rest stays in the ConfigMap", () => {
  for (const c of CASES) {
    const url = c.url ?? PLAIN;
    const all: Record<string, string> = {
      HLS_SWARM_URL: url,
      HLS_SWARM_CLIENTS: "10",
      ...(c.headers ? { HLS_SWARM_HEADER: c.headers.join("\n") } : {}),
      ...(c.redactHeaders ? { HLS_SWARM_REDACT_HEADER: c.redactHeaders.join("\n") } : {}),
      ...c.extra,
    };
    const { settings, secrets } = splitSecrets(all, {
      headers: c.headers ?? [],
      redactHeaders: c.redactHeaders ?? [],
      streamUrl: url,
    });
    assertEquals(Object.keys(secrets).sort(), c.secret, c.name);
    // Nothing is lost or kept twice.
    assertEquals({ ...settings, ...secrets }, all, c.name);
    assertEquals(Object.keys(settings).filter((k) => k in secrets), [], c.name);
  }
});

Deno.test("secretWarning names the variables, not their values", () => {
  const line = secretWarning("r1", { HLS_SWARM_URL: "https://u:P@h/a?t=T", HLS_SWARM_HEADER: "x" });
  assertEquals(line.includes("Secret r1 (HLS_SWARM_HEADER, HLS_SWARM_URL) in clear text"), true);
  assertEquals(line.includes("P@h") || line.includes("\n"), false);
});
