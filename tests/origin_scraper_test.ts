/**
 * ExporterScraper against the real exporters (Debian's prometheus-node-exporter and
 * prometheus-nginx-exporter, run here as child processes on loopback), checked against
 * /proc and nginx's stub_status; plus failing, slow and garbage-serving exporters, and exact
 * arithmetic on synthetic expositions with a controlled clock.
 */
import {
  assert,
  assertBetween,
  assertEquals,
  assertStringIncludes,
} from "../src/testing/assert.ts";
import { type Clock, systemClock } from "../src/clock.ts";
import { ExporterScraper } from "../src/exporters/scraper.ts";
import { parsePromText } from "../src/exporters/prom_text.ts";
import { type Exporter, startNginx, startNginxExporter, startNodeExporter } from "./helpers.ts";

/** /proc/stat's aggregate line: [busy, total] jiffies, with the scraper's idle = idle+iowait. */
async function procCpu(): Promise<[number, number]> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return [total - f[3] - f[4], total];
}

function procBusyPercent(a: [number, number], b: [number, number]): number {
  return ((b[0] - a[0]) / (b[1] - a[1])) * 100;
}

async function procMeminfo(): Promise<{ total: number; available: number }> {
  const text = await Deno.readTextFile("/proc/meminfo");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)![1]);
  return { total: kb("MemTotal") * 1024, available: kb("MemAvailable") * 1024 };
}

/** A clock whose `now()` the test sets; sleeps are real so timeouts still work. */
function manualClock(): Clock & { t: number } {
  return {
    t: 0,
    now() {
      return this.t;
    },
    wallNow: () => Date.now(),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
}

Deno.test("node_exporter: memory matches /proc/meminfo, CPU % follows load like /proc/stat", async () => {
  const exporter = await startNodeExporter();
  try {
    // The real exposition, all collectors, parses without one rejected line.
    const full = parsePromText(await (await fetch(exporter.url)).text());
    assertEquals(full.errors, []);
    assert(full.sampleCount > 100);

    const scraper = new ExporterScraper({ nodeUrl: exporter.url, intervalMs: 1000 });
    await scraper.scrapeOnce();
    const mem = await procMeminfo();
    let snap = scraper.snapshot();
    assertEquals(snap.cpuPercent, null, "CPU % needs two scrapes");
    assertEquals(snap.net, null);
    assert(snap.memory);
    assertEquals(snap.memory.totalBytes, mem.total);
    const procUsed = mem.total - mem.available;
    assert(
      Math.abs(snap.memory.usedBytes - procUsed) < mem.total * 0.02,
      `used ${snap.memory.usedBytes} vs /proc/meminfo ${procUsed}`,
    );
    assertBetween(snap.memory.percent, 0, 100);
    assertEquals(snap.sources.node?.healthy, true);
    assertEquals(snap.sources.node?.scrapes, 1);

    // A quiet stretch, measured both ways over the same window.
    const q0 = await procCpu();
    await systemClock.sleep(1200);
    await scraper.scrapeOnce();
    const q1 = await procCpu();
    const quiet = scraper.snapshot().cpuPercent;
    assert(quiet !== null);
    assertBetween(quiet, 0, 100);

    // Every CPU busy for 2.5 s.
    const cpus = Math.min(navigator.hardwareConcurrency, 8);
    const burners = Array.from({ length: cpus }, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "const end = Date.now() + 2500; while (Date.now() < end) {}"],
        stdout: "null",
        stderr: "null",
      }).spawn());
    try {
      await systemClock.sleep(400); // past Deno's start-up
      await scraper.scrapeOnce();
      const b0 = await procCpu();
      await systemClock.sleep(1200);
      await scraper.scrapeOnce();
      const b1 = await procCpu();
      snap = scraper.snapshot();
      const busy = snap.cpuPercent;
      assert(busy !== null);
      const procQuiet = procBusyPercent(q0, q1);
      const procBusy = procBusyPercent(b0, b1);
      assertBetween(busy, 80, 100, `busy ${busy}% (proc ${procBusy}%)`);
      assert(Math.abs(busy - procBusy) < 10, `exporter ${busy}% vs /proc/stat ${procBusy}%`);
      assert(Math.abs(quiet - procQuiet) < 15, `exporter ${quiet}% vs /proc/stat ${procQuiet}%`);
      // Since-boot totals would barely move; a delta must rise with the load (unless other
      // work already loaded the machine during the quiet stretch).
      assert(busy - quiet > 10 || quiet > 60, `quiet ${quiet}% → busy ${busy}%`);
    } finally {
      await Promise.all(burners.map((b) => b.status));
    }

    assert(snap.net, "network rates after two scrapes");
    for (const v of [snap.net.rxBytesPerSecond, snap.net.txBytesPerSecond]) assert(v >= 0);
    assert(snap.net.rxP50 <= snap.net.rxMax && snap.net.txP50 <= snap.net.txMax);
    assertEquals(snap.net.windowMs, 30_000);
    assertEquals(snap.sources.node?.failures, 0);
  } finally {
    await exporter.stop();
  }
});

Deno.test("node_exporter gone: unhealthy with a clear error, last values kept", async () => {
  const exporter = await startNodeExporter();
  try {
    const scraper = new ExporterScraper({ nodeUrl: exporter.url, intervalMs: 1000 });
    await scraper.scrapeOnce();
    await systemClock.sleep(200);
    await scraper.scrapeOnce();
    const good = scraper.snapshot();
    assert(good.cpuPercent !== null && good.memory && good.net);
    const lastSuccessAt = good.sources.node?.lastSuccessAt;
    assert(lastSuccessAt);

    await exporter.stop();
    await scraper.scrapeOnce();
    await scraper.scrapeOnce();
    const bad = scraper.snapshot();
    const health = bad.sources.node!;
    assertEquals(health.healthy, false);
    assertEquals(health.consecutiveFailures, 2);
    assertEquals(health.failures, 2);
    assertEquals(health.scrapes, 4);
    assertEquals(health.lastSuccessAt, lastSuccessAt);
    assert(/connection refused|connect/i.test(health.lastError ?? ""), `${health.lastError}`);
    assertEquals(bad.cpuPercent, good.cpuPercent);
    assertEquals(bad.memory, good.memory);
    assertEquals(bad.net, good.net);
  } finally {
    await exporter.stop();
  }
});

Deno.test("nginx exporter: requests/s from scrape times, connections match stub_status", async () => {
  const root = await Deno.makeTempDir({ prefix: "hls-swarm-origin-" });
  await Deno.writeTextFile(`${root}/index.html`, "hello\n");
  const nginx = await startNginx(root);
  let exporter: Exporter | null = null;
  const idle: Deno.TcpConn[] = [];
  try {
    exporter = await startNginxExporter(nginx);
    const clock = manualClock();
    const scraper = new ExporterScraper({ nginxUrl: exporter.url, intervalMs: 1000 }, { clock });
    await scraper.scrapeOnce();
    let snap = scraper.snapshot();
    assertEquals(snap.nginx?.up, true);
    assertEquals(snap.nginx?.requestsPerSecond, null, "a rate needs two scrapes");
    assertEquals(snap.sources.node, undefined);

    for (let i = 0; i < 150; i++) await (await fetch(nginx.url("/index.html"))).text();
    clock.t = 3000; // three "seconds" later by the scrape clock, whatever the interval says
    await scraper.scrapeOnce();
    snap = scraper.snapshot();
    // 150 requests plus the exporter's own stub_status request, over 3 s of scrape time.
    assertBetween(snap.nginx!.requestsPerSecond!, 150 / 3, 152 / 3);

    // Ten idle keep-alive connections: nginx counts them as active and waiting.
    for (let i = 0; i < 10; i++) {
      idle.push(await Deno.connect({ hostname: "127.0.0.1", port: nginx.port }));
    }
    await systemClock.sleep(100);
    clock.t = 4000;
    await scraper.scrapeOnce();
    const stub = await (await fetch(nginx.url("/nginx_status"))).text();
    const direct = {
      active: Number(/Active connections:\s+(\d+)/.exec(stub)![1]),
      waiting: Number(/Waiting:\s+(\d+)/.exec(stub)![1]),
    };
    snap = scraper.snapshot();
    const n = snap.nginx!;
    assert(n.activeConnections! >= 10);
    // The exporter's connection and ours differ by at most one each way.
    assert(Math.abs(n.activeConnections! - direct.active) <= 2, `${stub} vs ${JSON.stringify(n)}`);
    assert(Math.abs(n.waiting! - direct.waiting) <= 2, `${stub} vs ${JSON.stringify(n)}`);
    assertEquals(n.activeConnections, n.reading! + n.writing! + n.waiting!);
    for (const c of idle.splice(0)) c.close();

    // With the real clock, the rate times the measured gap is the request count.
    const real = new ExporterScraper({ nginxUrl: exporter.url, intervalMs: 1000 });
    await real.scrapeOnce();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await (await fetch(nginx.url("/index.html"))).text();
    await systemClock.sleep(300);
    await real.scrapeOnce();
    const seconds = (performance.now() - t0) / 1000;
    assertBetween(real.snapshot().nginx!.requestsPerSecond! * seconds, 101 * 0.85, 101 * 1.15);

    // nginx down: the exporter answers nginx_up 0; the source is unhealthy, values kept.
    await nginx.stop();
    clock.t = 5000;
    await scraper.scrapeOnce();
    const down = scraper.snapshot();
    assertEquals(down.nginx?.up, false);
    assertEquals(down.sources.nginx?.healthy, false);
    assertStringIncludes(down.sources.nginx?.lastError ?? "", "nginx_up is 0");
    assertEquals(down.nginx?.activeConnections, n.activeConnections);
    assertEquals(down.nginx?.requestsPerSecond, n.requestsPerSecond);

    // Back up: healthy again; the restarted counter does not give a negative rate.
    await nginx.start();
    clock.t = 6000;
    await scraper.scrapeOnce();
    const back = scraper.snapshot();
    assertEquals(back.sources.nginx?.healthy, true);
    assertEquals(back.sources.nginx?.consecutiveFailures, 0);
    assertEquals(back.nginx?.up, true);
    assertBetween(back.nginx!.requestsPerSecond!, 0, 10);
  } finally {
    for (const c of idle) c.close();
    await exporter?.stop();
    await nginx.stop();
    await Deno.remove(root, { recursive: true });
  }
});

/** A misbehaving "exporter" on loopback; `/good` serves a small valid node exposition. */
async function withFakeExporter(
  fn: (base: string, state: { good: boolean }) => Promise<void>,
): Promise<void> {
  const state = { good: true };
  // Ends the slow handlers at teardown (the client gave up on them long before).
  const teardown = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const nodeText = "node_memory_MemTotal_bytes 1000\nnode_memory_MemAvailable_bytes 400\n";
    switch (path) {
      case "/flaky":
        if (state.good) return new Response(nodeText);
        return new Response(crypto.getRandomValues(new Uint8Array(4096)));
      case "/random":
        return new Response(crypto.getRandomValues(new Uint8Array(4096)));
      case "/html":
        return new Response("<!DOCTYPE html>\n<html><body>Welcome</body></html>\n", {
          headers: { "content-type": "text/html" },
        });
      case "/error":
        return new Response("overloaded", { status: 503 });
      case "/huge":
        return new Response(nodeText.repeat(200));
      case "/huge-stream":
        // No content-length: the cap must be enforced while reading.
        return new Response(
          ReadableStream.from([nodeText.repeat(100), nodeText.repeat(100)])
            .pipeThrough(new TextEncoderStream()),
        );
      case "/other":
        return new Response("# TYPE up gauge\nup 1\n");
      case "/slow":
        await systemClock.sleep(3000, teardown.signal);
        return new Response(nodeText);
      case "/slow-body": {
        // Headers at once, then the body stalls: the timeout must cover the body too.
        const stall = new AbortController();
        return new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode("node_memory_MemTotal_bytes 1"));
            },
            async pull(c) {
              await systemClock.sleep(3000, stall.signal);
              c.close();
            },
            cancel() {
              stall.abort();
            },
          }),
        );
      }
      default:
        return new Response("not found", { status: 404 });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, state);
  } finally {
    teardown.abort();
    await server.shutdown();
  }
}

Deno.test("a slow exporter is timed out, headers or body", async () => {
  await withFakeExporter(async (base) => {
    for (const path of ["/slow", "/slow-body"]) {
      const scraper = new ExporterScraper({
        nodeUrl: `${base}${path}`,
        intervalMs: 1000,
        timeoutMs: 300,
      });
      const t0 = performance.now();
      await scraper.scrapeOnce();
      const took = performance.now() - t0;
      const health = scraper.snapshot().sources.node!;
      assertEquals(health.healthy, false, path);
      assertEquals(health.lastError, "timed out after 300 ms", path);
      assertBetween(took, 250, 1500, `${path} took ${took} ms`);
    }
  });
});

Deno.test("garbage, errors and the wrong exporter: unhealthy, clear reason, no crash", async () => {
  await withFakeExporter(async (base, state) => {
    const cases: [string, string][] = [
      ["/random", "not Prometheus text"],
      ["/html", "not Prometheus text (content-type text/html): line 1: invalid metric name"],
      ["/error", "HTTP 503"],
      ["/missing", "HTTP 404"],
      ["/huge", "over the 4096-byte limit"],
      ["/huge-stream", "over the 4096-byte limit"],
      ["/other", "is this URL a node_exporter?"],
    ];
    for (const [path, reason] of cases) {
      const scraper = new ExporterScraper({
        nodeUrl: `${base}${path}`,
        nginxUrl: `${base}${path}`,
        intervalMs: 1000,
        maxBodyBytes: 4096,
      });
      await scraper.scrapeOnce();
      const snap = scraper.snapshot();
      assertEquals(snap.sources.node?.healthy, false, path);
      assertEquals(snap.sources.nginx?.healthy, false, path);
      assertStringIncludes(snap.sources.node?.lastError ?? "", reason, path);
      assertEquals(snap.memory, null, path);
      assertEquals(snap.nginx, null, path);
    }
    const nginxSide = new ExporterScraper({ nginxUrl: `${base}/other`, intervalMs: 1000 });
    await nginxSide.scrapeOnce();
    assertStringIncludes(nginxSide.snapshot().sources.nginx?.lastError ?? "", "no nginx_up");

    // Good, then garbage: the good memory figures stay; then good again recovers.
    const scraper = new ExporterScraper({ nodeUrl: `${base}/flaky`, intervalMs: 1000 });
    await scraper.scrapeOnce();
    const memory = { usedBytes: 600, totalBytes: 1000, percent: 60 };
    assertEquals(scraper.snapshot().memory, memory);
    state.good = false;
    await scraper.scrapeOnce();
    let snap = scraper.snapshot();
    assertEquals(snap.sources.node?.healthy, false);
    assertEquals(snap.memory, memory);
    state.good = true;
    await scraper.scrapeOnce();
    snap = scraper.snapshot();
    assertEquals(snap.sources.node?.healthy, true);
    assertEquals(snap.sources.node?.failures, 1);
    assert(snap.sources.node?.lastError, "the last error stays readable after recovery");
  });
});

/** A fake fetch serving the next exposition of a list per URL. */
function scriptedFetch(bodies: Record<string, string[]>): typeof fetch {
  return (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const next = bodies[url]?.shift();
    if (next === undefined) return Promise.reject(new TypeError(`no more bodies for ${url}`));
    return Promise.resolve(new Response(next));
  };
}

function nodeText(o: {
  idle: number;
  iowait: number;
  user: number;
  steal: number;
  rx: number;
  tx: number;
  loRx: number;
}): string {
  return `# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} ${o.idle}
node_cpu_seconds_total{cpu="0",mode="iowait"} ${o.iowait}
node_cpu_seconds_total{cpu="0",mode="user"} ${o.user}
node_cpu_seconds_total{cpu="0",mode="steal"} ${o.steal}
node_cpu_seconds_total{cpu="1",mode="idle"} ${o.idle}
node_cpu_seconds_total{cpu="1",mode="user"} ${o.user}
node_memory_MemTotal_bytes 1000
node_memory_MemFree_bytes 250
node_network_receive_bytes_total{device="eth0"} ${o.rx}
node_network_receive_bytes_total{device="lo"} ${o.loRx}
node_network_transmit_bytes_total{device="eth0"} ${o.tx}
node_network_transmit_bytes_total{device="lo"} ${o.loRx}
node_network_receive_bytes_total{device="veth1a2b"} ${o.loRx}
node_network_transmit_bytes_total{device="docker0"} ${o.loRx}
`;
}

Deno.test("rates use scrape times; CPU, lo/veth, counter resets and the window are exact", async () => {
  const node = "http://origin:9100/metrics";
  const nginx = "http://origin:9113/metrics";
  const nginxText = (requests: number) =>
    `nginx_up 1\nnginx_connections_active 7\nnginx_connections_reading 1\n` +
    `nginx_connections_writing 2\nnginx_connections_waiting 4\nnginx_http_requests_total ${requests}\n`;
  const clock = manualClock();
  const scraper = new ExporterScraper(
    { nodeUrl: node, nginxUrl: nginx, intervalMs: 1000, windowMs: 3500 },
    {
      clock,
      fetch: scriptedFetch({
        [node]: [
          nodeText({ idle: 100, iowait: 10, user: 50, steal: 0, rx: 1000, tx: 0, loRx: 0 }),
          // +2 s: per CPU 0: idle 1, iowait 0.5, user 1.5, steal 1; CPU 1: idle 1, user 1.5.
          nodeText({ idle: 101, iowait: 10.5, user: 51.5, steal: 1, rx: 5000, tx: 200, loRx: 1e9 }),
          nodeText({
            idle: 101,
            iowait: 10.5,
            user: 51.5,
            steal: 1,
            rx: 23000,
            tx: 500,
            loRx: 2e9,
          }),
          // eth0 re-created: its counter restarts, and the new value is the increase.
          nodeText({ idle: 101, iowait: 10.5, user: 51.5, steal: 1, rx: 1000, tx: 600, loRx: 3e9 }),
        ],
        [nginx]: [nginxText(100), nginxText(400), nginxText(700), nginxText(50)],
      }),
    },
  );
  await scraper.scrapeOnce(); // t = 0
  let snap = scraper.snapshot();
  assertEquals(snap.memory, { usedBytes: 750, totalBytes: 1000, percent: 75 }); // MemFree fallback
  assertEquals(snap.cpuPercent, null);
  assertEquals(snap.totals, null, "no counter before an interval is measured");
  assertEquals(snap.nginx, {
    up: true,
    activeConnections: 7,
    reading: 1,
    writing: 2,
    waiting: 4,
    requestsPerSecond: null,
  });

  clock.t = 2000;
  await scraper.scrapeOnce();
  snap = scraper.snapshot();
  // Δtotal = 4 + 2.5 = 6.5 s; idle-like = 1 + 0.5 + 1 = 2.5 s → busy 4/6.5.
  assertBetween(snap.cpuPercent!, (4 / 6.5) * 100 - 1e-9, (4 / 6.5) * 100 + 1e-9);
  assertEquals(snap.net, {
    rxBytesPerSecond: 2000,
    txBytesPerSecond: 100,
    rxP50: 2000,
    rxMax: 2000,
    txP50: 100,
    txMax: 100,
    windowMs: 3500,
  });
  assertEquals(snap.nginx?.requestsPerSecond, 150); // 300 over 2 s, not over the 1 s interval

  clock.t = 5000; // a 3 s gap, as after a failed or slow scrape
  await scraper.scrapeOnce();
  snap = scraper.snapshot();
  assertEquals(snap.net?.rxBytesPerSecond, 6000);
  assertEquals(snap.nginx?.requestsPerSecond, 100);
  assertEquals(snap.cpuPercent, (4 / 6.5) * 100, "no CPU time passed: keep the last value");

  clock.t = 6000;
  await scraper.scrapeOnce();
  snap = scraper.snapshot();
  assertEquals(snap.net?.rxBytesPerSecond, 1000);
  assertEquals(snap.nginx?.requestsPerSecond, 50); // restarted nginx: new total counts
  // Window 3.5 s back from t = 6 s keeps the intervals ending at 5 s and 6 s.
  assertEquals(snap.net?.rxP50, 3500);
  assertEquals(snap.net?.rxMax, 6000);
  assertEquals(snap.net?.txP50, 100);
  assertEquals(snap.net?.txMax, 100);
  assertEquals(snap.sources.node?.scrapes, 4);
  assertEquals(snap.sources.nginx?.failures, 0);
  // The counters /metrics exports: every interval's increase added up (the reset counted once,
  // as its new value), CPU busy 4 s and idle 2.5 s from the first interval only.
  assertEquals(snap.totals, {
    cpuBusySeconds: 4,
    cpuIdleSeconds: 2.5,
    rxBytes: 23000,
    txBytes: 600,
  });
});

Deno.test("excludeDevices replaces the default device filter", async () => {
  const node = "http://origin:9100/metrics";
  const clock = manualClock();
  const o = { idle: 1, iowait: 0, user: 1, steal: 0, rx: 0, tx: 0, loRx: 0 };
  const scraper = new ExporterScraper({ nodeUrl: node, intervalMs: 1000, excludeDevices: /^lo$/ }, {
    clock,
    fetch: scriptedFetch({ [node]: [nodeText(o), nodeText({ ...o, idle: 2, loRx: 500 })] }),
  });
  await scraper.scrapeOnce();
  clock.t = 1000;
  await scraper.scrapeOnce();
  // Only lo is left out now: veth1a2b (rx) and docker0 (tx) count.
  assertEquals(scraper.snapshot().net?.rxBytesPerSecond, 500);
  assertEquals(scraper.snapshot().net?.txBytesPerSecond, 500);
  assertEquals(scraper.snapshot().cpuPercent, 0);
});

Deno.test("start() scrapes every interval; stop() aborts a scrape in flight", async () => {
  let calls = 0;
  const counting: typeof fetch = () => {
    calls++;
    return Promise.resolve(new Response("nginx_up 1\nnginx_http_requests_total 1\n"));
  };
  const scraper = new ExporterScraper(
    { nginxUrl: "http://origin:9113/metrics", intervalMs: 50 },
    { fetch: counting },
  );
  scraper.start();
  scraper.start(); // idempotent
  await systemClock.sleep(280);
  await scraper.stop();
  const after = calls;
  assertBetween(after, 4, 8);
  await systemClock.sleep(120);
  assertEquals(calls, after, "no scrape after stop()");

  // A hanging fetch (honouring its signal) is cut short by stop(), well before the timeout.
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted")));
    });
  const stuck = new ExporterScraper(
    { nodeUrl: "http://origin:9100/metrics", intervalMs: 10_000, timeoutMs: 5000 },
    { fetch: hanging },
  );
  stuck.start();
  await systemClock.sleep(50);
  const t0 = performance.now();
  await stuck.stop();
  assert(performance.now() - t0 < 500);
  // Aborted by stop(), not by the exporter: neither a failure nor a counted scrape.
  assertEquals(stuck.snapshot().sources.node?.lastError, null);
  assertEquals(stuck.snapshot().sources.node?.scrapes, 0);
});

Deno.test("ExporterScraper rejects bad options with clear messages", () => {
  const bad: [() => unknown, string][] = [
    [() => new ExporterScraper({ intervalMs: 1000 }), "needs a node_exporter URL"],
    [() => new ExporterScraper({ nodeUrl: "nope", intervalMs: 1000 }), "invalid node_exporter URL"],
    [() => new ExporterScraper({ nginxUrl: "ftp://x/", intervalMs: 1000 }), "http or https"],
    [() => new ExporterScraper({ nodeUrl: "http://x/", intervalMs: 0 }), "must be > 0"],
  ];
  for (const [make, message] of bad) {
    try {
      make();
      throw new Error(`expected an error containing ${message}`);
    } catch (e) {
      assertStringIncludes(String(e), message);
    }
  }
});
