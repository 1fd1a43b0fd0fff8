/**
 * Redirects against real servers: one origin on 127.0.0.1 that redirects, another on 127.0.0.2
 * (another origin) that records the headers it received.
 */
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { MAX_REDIRECTS, resolveRedirects, sameOriginFetch } from "./redirects.ts";
import { checkStream } from "../preflight/stream.ts";

const PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n";
const CREDENTIALS = ["authorization", "cookie", "proxy-authorization", "x-api-key"];
const HEADERS = {
  Authorization: "Bearer b34r3r-S3CR3T",
  "X-Api-Key": "k3y-S3CR3T",
  Cookie: "session=c00k13-S3CR3T",
  "X-Plain": "visible",
};

/** What one server saw: the path and the headers of each request. */
type Seen = { path: string; headers: Record<string, string> }[];

/** A server on `hostname` that answers with `route` and records every request. */
function server(hostname: string, route: (path: string) => Response) {
  const seen: Seen = [];
  const s = Deno.serve({ hostname, port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    seen.push({ path, headers: Object.fromEntries(req.headers) });
    return route(path);
  });
  return { seen, base: `http://${hostname}:${s.addr.port}`, close: () => s.shutdown() };
}

async function withServers(
  test: (home: ReturnType<typeof server>, away: ReturnType<typeof server>) => Promise<void>,
) {
  const away = server(
    "127.0.0.2",
    (path) =>
      path === "/stream.m3u8" ? new Response(PLAYLIST) : new Response("no", { status: 404 }),
  );
  const home = server("127.0.0.1", (path) => {
    const hop = /^\/hop(\d+)$/.exec(path);
    if (hop) return Response.redirect(`${home.base}/hop${Number(hop[1]) + 1}`, 302);
    if (path === "/same") return Response.redirect(`${home.base}/stream.m3u8`, 301);
    if (path === "/away") return Response.redirect(`${away.base}/stream.m3u8`, 302);
    if (path === "/file") return Response.redirect("file:///etc/passwd", 302);
    if (path === "/stream.m3u8") return new Response(PLAYLIST);
    return new Response("no", { status: 404 });
  });
  try {
    await test(home, away);
  } finally {
    await Promise.all([home.close(), away.close()]);
  }
}

Deno.test("credential headers go to the same origin only; other headers follow the redirect", async () => {
  await withServers(async (home, away) => {
    const f = sameOriginFetch(fetch, CREDENTIALS);
    const same = await f(`${home.base}/same`, { headers: HEADERS });
    assertEquals([same.status, await same.text()], [200, PLAYLIST]);
    const cross = await f(`${home.base}/away`, { headers: HEADERS });
    assertEquals([cross.status, await cross.text()], [200, PLAYLIST]);
    const homeFinal = home.seen.find((s) => s.path === "/stream.m3u8")!;
    assertEquals(homeFinal.headers["x-api-key"], "k3y-S3CR3T");
    assertEquals(away.seen.length, 1);
    const got = away.seen[0].headers;
    const table = ["authorization", "x-api-key", "cookie", "x-plain"].map((h) =>
      `${h}: home=${home.seen[2].headers[h] ? "sent" : "-"} away=${got[h] ? "sent" : "-"}`
    );
    console.log(table.join("\n"));
    assertEquals(
      [got.authorization, got["x-api-key"], got.cookie, got["x-plain"]],
      [undefined, undefined, undefined, "visible"],
    );
  });
});

Deno.test("preflight warns about a cross-origin redirect, with a stderr notice", async () => {
  await withServers(async (home, away) => {
    const headers = { ...HEADERS, "user-agent": "hls-swarm-test/preflight" };
    const r = await checkStream(fetch, `${home.base}/away?token=t0k3n`, {
      timeoutMs: 5000,
      headers,
      credentialHeaders: CREDENTIALS,
    });
    console.log(`${r.status}: ${r.detail}`);
    assertEquals(r.status, "warn");
    assertStringIncludes(r.detail, "answered 200 with a media playlist");
    assertStringIncludes(r.notice ?? "", `redirects to another origin, ${away.base}`);
    assertStringIncludes(r.notice ?? "", "no authorization, cookie, x-api-key");
    assertEquals(away.seen[0].headers.authorization, undefined);
    // Same origin, or no credentials configured: no warning.
    const same = await checkStream(fetch, `${home.base}/same`, { timeoutMs: 5000, headers });
    assertEquals([same.status, same.notice], ["ok", undefined]);
    const plain = await checkStream(fetch, `${home.base}/away`, {
      timeoutMs: 5000,
      headers: { "X-Plain": "visible" },
    });
    assertEquals([plain.status, plain.notice], ["ok", undefined]);
  });
});

Deno.test("a redirect loop stops after MAX_REDIRECTS hops; non-http targets are refused", async () => {
  await withServers(async (home) => {
    const loop = await checkStream(fetch, `${home.base}/hop0`, { timeoutMs: 5000, headers: {} });
    assertEquals(loop.status, "fail");
    assertStringIncludes(loop.detail, `more than ${MAX_REDIRECTS} redirects`);
    assertEquals(home.seen.length, MAX_REDIRECTS + 1);
    const file = await checkStream(fetch, `${home.base}/file`, { timeoutMs: 5000, headers: {} });
    assertStringIncludes(file.detail, "redirects to a file: URL (not followed)");
  });
});

Deno.test("resolveRedirects: where the chain ends, and whether it left the origin", async () => {
  await withServers(async (home, away) => {
    const opts = { headers: ["Authorization: Bearer x"], credentialHeaders: CREDENTIALS };
    const cross = await resolveRedirects(fetch, `${home.base}/away`, { ...opts, timeoutMs: 5000 });
    assertEquals([cross.finalUrl, cross.crossOrigin], [`${away.base}/stream.m3u8`, true]);
    const same = await resolveRedirects(fetch, `${home.base}/same`, { ...opts, timeoutMs: 5000 });
    assertEquals([same.finalUrl, same.crossOrigin], [`${home.base}/stream.m3u8`, false]);
    assert(away.seen.every((s) => !s.headers.authorization));
  });
});
