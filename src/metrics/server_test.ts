/**
 * The metrics server over real sockets: normal scrapes, and what a hostile client can no longer
 * do (hold a connection with half a head, take every slot, make every request rebuild /metrics).
 */
import { assert, assertBetween, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { METRICS_SERVER_LIMITS, type MetricsServerLimits, serveMetrics } from "./server.ts";

const enc = new TextEncoder(), dec = new TextDecoder();

function start(limits: Partial<MetricsServerLimits> = {}, ready = true) {
  let builds = 0;
  const server = serveMetrics(
    () => {
      builds++;
      // A build costs main-thread time, as the real one does with many clients.
      const until = performance.now() + 5;
      while (performance.now() < until) { /* busy */ }
      return Promise.resolve(`up 1\nbuilds ${builds}\n`);
    },
    { hostname: "127.0.0.1", port: 0 },
    () => ready,
    limits,
  );
  return { server, builds: () => builds, url: `http://127.0.0.1:${server.port}` };
}

/** Reads until the server closes the connection (or `ms` pass); how long that took. */
async function readUntilClosed(conn: Deno.Conn, ms: number) {
  const t0 = performance.now();
  let text = "";
  const buf = new Uint8Array(4096);
  const give = setTimeout(() => conn.close(), ms);
  let closedByServer = false;
  try {
    for (let n; (n = await conn.read(buf)) !== null;) text += dec.decode(buf.subarray(0, n));
    closedByServer = true;
  } catch {
    // Reset by the server counts as closed by it; our own timeout does not.
    closedByServer = performance.now() - t0 < ms;
  } finally {
    clearTimeout(give);
  }
  if (closedByServer) conn.close();
  return { text, closedByServer, ms: performance.now() - t0 };
}

Deno.test("GET /metrics, /health(z), /ready(z); 404, 405, HEAD; keep-alive and pipelining", async () => {
  const { server, url } = start();
  try {
    const res = await fetch(`${url}/metrics`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assertStringIncludes(await res.text(), "up 1\n");
    for (const path of ["/health", "/healthz", "/ready", "/readyz", "/metrics?x=1"]) {
      const r = await fetch(url + path);
      await r.body?.cancel();
      assertEquals(r.status, 200, path);
    }
    const missing = await fetch(`${url}/nope`);
    assertEquals([missing.status, await missing.text()], [404, "not found\n"]);
    const post = await fetch(`${url}/metrics`, { method: "POST" });
    await post.body?.cancel();
    assertEquals([post.status, post.headers.get("allow")], [405, "GET, HEAD"]);
    const head = await fetch(`${url}/metrics`, { method: "HEAD" });
    assertEquals([head.status, await head.text()], [200, ""]);
    // Two requests in one write on one connection: two answers, in order, then close.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(enc.encode(
      "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ));
    const { text, closedByServer } = await readUntilClosed(conn, 5000);
    assert(closedByServer);
    assertEquals(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2, text);
    assert(text.indexOf("ok\n") < text.indexOf("up 1\n"), text);
  } finally {
    await server.close();
  }
});

Deno.test("/ready is 503 until a client runs", async () => {
  const { server, url } = start({}, false);
  try {
    const r = await fetch(`${url}/ready`);
    assertEquals([r.status, await r.text()], [503, "not ready: no client running yet\n"]);
  } finally {
    await server.close();
  }
});

Deno.test("malformed, oversized and bodied requests get 400/431 and a close", async () => {
  const { server } = start();
  const cases: [string, string][] = [
    ["NOT HTTP\r\n\r\n", "400 Bad Request"],
    ["GET /metrics HTTP/1.1\r\nbad header\r\n\r\n", "400 Bad Request"],
    ["POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "400 Bad Request"],
    [`GET /metrics HTTP/1.1\r\nX: ${"a".repeat(20_000)}\r\n\r\n`, "431 Request Header Fields"],
  ];
  try {
    for (const [request, status] of cases) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(enc.encode(request)).catch(() => 0);
      const { text, closedByServer } = await readUntilClosed(conn, 5000);
      assert(closedByServer, request.slice(0, 30));
      assertStringIncludes(text, `HTTP/1.1 ${status}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a connection that sends half a head is closed at the header timeout (default 10 s)", async () => {
  const { server, url } = start();
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(enc.encode("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
    const { text, closedByServer, ms } = await readUntilClosed(conn, 30_000);
    console.log(`half-head connection closed by the server after ${ms.toFixed(0)} ms`);
    assert(closedByServer);
    assertEquals(text, "");
    assertBetween(ms, METRICS_SERVER_LIMITS.headerTimeoutMs - 100, 11_000);
    const r = await fetch(`${url}/health`);
    assertEquals([r.status, await r.text()], [200, "ok\n"]);
  } finally {
    await server.close();
  }
});

Deno.test("a head dribbled a byte at a time is still cut at the header timeout", async () => {
  const { server } = start({ headerTimeoutMs: 1000 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  let stop = false;
  const dribble = (async () => {
    for (const byte of enc.encode("GET /metrics HTTP/1.1\r\nX-Slow: " + "a".repeat(100))) {
      if (stop) return;
      await new Promise((r) => setTimeout(r, 50));
      await conn.write(Uint8Array.of(byte)).catch(() => stop = true);
    }
  })();
  try {
    const { closedByServer, ms } = await readUntilClosed(conn, 10_000);
    stop = true;
    console.log(`dribbling connection (a byte every 50 ms) closed after ${ms.toFixed(0)} ms`);
    assert(closedByServer);
    assertBetween(ms, 900, 1600);
  } finally {
    stop = true;
    await dribble;
    await server.close();
  }
});

Deno.test("beyond 64 held connections new ones get 503 at once; slots free when they go", async () => {
  const { server, url } = start();
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < METRICS_SERVER_LIMITS.maxConnections; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(enc.encode("GET /metrics HTTP/1.1\r\n"));
      held.push(conn);
    }
    // Let the server accept them all before the extra one arrives.
    await new Promise((r) => setTimeout(r, 200));
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await extra.write(enc.encode("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    const refused = await readUntilClosed(extra, 5000);
    console.log(
      `with ${held.length} held: connection ${held.length + 1} answered ` +
        `"${refused.text.split("\r\n")[0]}" and closed in ${refused.ms.toFixed(1)} ms`,
    );
    assert(refused.closedByServer);
    assertStringIncludes(refused.text, "HTTP/1.1 503 Service Unavailable");
    assertStringIncludes(refused.text, "too many connections");
    assert(refused.ms < 1000, `${refused.ms} ms`);
    for (const conn of held.splice(0)) conn.close();
    await new Promise((r) => setTimeout(r, 200));
    const r = await fetch(`${url}/metrics`);
    assertEquals(r.status, 200);
    assertStringIncludes(await r.text(), "up 1\n");
  } finally {
    for (const conn of held) conn.close();
    await server.close();
  }
});

Deno.test("64 idle keep-alive connections make room: the longest-idle one is closed", async () => {
  const { server } = start();
  const kept: Deno.Conn[] = [];
  try {
    const buf = new Uint8Array(4096);
    for (let i = 0; i < METRICS_SERVER_LIMITS.maxConnections; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(enc.encode("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
      assertStringIncludes(dec.decode(buf.subarray(0, (await conn.read(buf)) ?? 0)), " 200 OK");
      kept.push(conn);
    }
    const fresh = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await fresh.write(enc.encode("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const answer = await readUntilClosed(fresh, 5000);
    assertStringIncludes(answer.text, "HTTP/1.1 200 OK");
    // The first kept connection (the longest idle) was closed for it; the second one still works.
    assertEquals(await kept[0].read(buf).catch(() => null), null);
    await kept[1].write(enc.encode("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    assertStringIncludes(dec.decode(buf.subarray(0, (await kept[1].read(buf)) ?? 0)), " 200 OK");
  } finally {
    for (const conn of kept) conn.close();
    await server.close();
  }
});

Deno.test("1,000 scrapes in a burst build /metrics a few times, not 1,000", async () => {
  const { server, url, builds } = start();
  try {
    const t0 = performance.now();
    let ok = 0;
    // Waves of 50 concurrent scrapes (under the connection cap), back to back.
    for (let wave = 0; wave < 20; wave++) {
      const texts = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${url}/metrics`).then((r) => r.text())),
      );
      ok += texts.filter((t) => t.startsWith("up 1\n")).length;
    }
    const ms = performance.now() - t0;
    console.log(`1000 scrapes in ${ms.toFixed(0)} ms: ${ok} answered, ${builds()} builds`);
    assertEquals(ok, 1000);
    // One build per started second of the burst (cacheMs 1 s), and one more at a boundary.
    assertBetween(builds(), 1, Math.ceil(ms / METRICS_SERVER_LIMITS.cacheMs) + 1);
  } finally {
    await server.close();
  }
});

Deno.test("close() ends held connections at once", async () => {
  const { server } = start();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(enc.encode("GET /metrics HTTP/1.1\r\n"));
  await new Promise((r) => setTimeout(r, 100));
  const reading = readUntilClosed(conn, 5000);
  const t0 = performance.now();
  await server.close();
  const closeMs = performance.now() - t0;
  const { closedByServer } = await reading;
  assert(closedByServer);
  assert(closeMs < 1000, `close took ${closeMs} ms`);
});

Deno.test("1,000 scrapes at once: the cap answers 503, /metrics is built a few times", async () => {
  const { server, url, builds } = start();
  try {
    const t0 = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, () =>
        fetch(`${url}/metrics`).then(async (r) => {
          await r.body?.cancel();
          return String(r.status);
        }, (e) => `${(e as Error).name}: ${(e as Error).message}`.slice(0, 90))),
    );
    const ms = performance.now() - t0;
    const count = new Map<string, number>();
    for (const s of statuses) count.set(s, (count.get(s) ?? 0) + 1);
    console.log(
      `1000 concurrent scrapes in ${ms.toFixed(0)} ms: ${
        JSON.stringify(Object.fromEntries(count))
      }, ` +
        `${builds()} builds`,
    );
    // Over the cap a connection gets a 503, or (past 4 × the cap refusing at once) a plain close.
    assert((count.get("200") ?? 0) >= METRICS_SERVER_LIMITS.maxConnections);
    assert((count.get("503") ?? 0) >= 1);
    assertBetween(builds(), 1, Math.ceil(ms / METRICS_SERVER_LIMITS.cacheMs) + 1);
    const r = await fetch(`${url}/metrics`);
    assertEquals(r.status, 200);
    await r.body?.cancel();
  } finally {
    await server.close();
  }
});
