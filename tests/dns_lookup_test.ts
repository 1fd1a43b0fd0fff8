/**
 * `--resolve-dns` below the swarm, against a real DNS server on a loopback port
 * (tests/dns_server.ts, rotating like a GSLB) and the real `Deno.resolveDns`: what a lookup
 * answers and how it fails, that a viewer looks up once and keeps the answer, the command it
 * then runs (the address in the URL, the original Host, `-verifyhost` the URL's name), and the
 * flags' usage errors, all at once and with exit 2.
 */
import { loadConfig } from "../src/config/load.ts";
import { dnsLookup, DnsLookupError } from "../src/net/dns.ts";
import { detectCapabilities } from "../src/process/capabilities.ts";
import { runCommand } from "../src/process/command_runner.ts";
import type { TlsSetup } from "../src/process/tls.ts";
import { partitionClients } from "../src/partition/partition_clients.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import type { Logger } from "../src/log/logger.ts";
import { startDnsServer } from "./dns_server.ts";
import { runSwarm } from "./helpers.ts";

const HOST = "cdn.hls-swarm.test";

/** A logger that keeps what it is told. */
function keepingLogger(): Logger & { lines: { msg: string; fields: unknown }[] } {
  const lines: { msg: string; fields: unknown }[] = [];
  const keep = (msg: string, fields?: unknown) => lines.push({ msg, fields });
  return { lines, debug: keep, info: keep, warn: keep, error: keep, enabled: () => true };
}

Deno.test("a lookup asks the given server: A answers in its order; none is a clear error", async () => {
  const dns = await startDnsServer({ [HOST]: ["127.0.0.2", "127.0.0.3"] });
  try {
    const lookup = dnsLookup({ ipAddr: "127.0.0.1", port: dns.port });
    const signal = new AbortController().signal;
    assertEquals(await lookup(HOST, signal), ["127.0.0.2", "127.0.0.3"]);
    // A fresh query each time (no cache): the GSLB's rotation shows.
    assertEquals(await lookup(HOST, signal), ["127.0.0.3", "127.0.0.2"]);
    let error: unknown = null;
    await lookup("nowhere.hls-swarm.test", signal).catch((e) => (error = e));
    assert(error instanceof DnsLookupError, String(error));
    assertEquals(
      error.message,
      `DNS lookup of nowhere.hls-swarm.test at 127.0.0.1:${dns.port} found no address ` +
        "(no A record, no AAAA record)",
    );
    assertEquals(dns.queries.map((q) => `${q.name} ${q.type}`), [
      `${HOST} A`,
      `${HOST} A`,
      "nowhere.hls-swarm.test A",
      "nowhere.hls-swarm.test AAAA",
    ]);
  } finally {
    await dns.close();
  }
});

Deno.test("each viewer looks up once and keeps its first answer: URL, Host and certificate name", async () => {
  const dns = await startDnsServer({ [HOST]: ["127.0.0.2", "127.0.0.3"] });
  try {
    const loaded = loadConfig(
      { "resolve-dns": true, "dns-server": `127.0.0.1:${dns.port}` },
      `https://${HOST}:8443/live/stream.m3u8`,
    );
    assert(loaded.ok, JSON.stringify(loaded));
    const caps = await detectCapabilities("ffmpeg", runCommand);
    const tls: TlsSetup = {
      verify: true,
      caFile: null,
      extraCaPem: [],
      describe: "system",
      cleanup: async () => {},
    };
    const log = keepingLogger();
    const clients = partitionClients(loaded.config, caps, { kind: "all" }, tls, log);
    const signal = new AbortController().signal;
    // Before its lookup a viewer belongs to no edge yet.
    assertEquals(clients.groupsOf?.(1), { rendition: null, address: null, pending: true });
    const first = await clients.command(0, signal);
    const second = await clients.command(1, signal);
    // Sessions and restarts of viewer 0 and 1: no new query.
    const again = await clients.command(0, signal);
    await clients.command(1, signal);
    assertEquals(dns.queries.length, 2);
    assertEquals(again.args, first.args);
    const at = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    assertEquals(at(first.args, "-i"), "https://127.0.0.2:8443/live/stream.m3u8");
    assertEquals(at(second.args, "-i"), "https://127.0.0.3:8443/live/stream.m3u8");
    assertStringIncludes(at(first.args, "-headers"), `Host: ${HOST}:8443\r\n`);
    assertEquals(at(first.args, "-verifyhost"), HOST);
    assertEquals(clients.groupsOf?.(1), { rendition: null, address: "127.0.0.3" });
    assertEquals(
      log.lines.filter((l) => l.msg === "client_dns_resolved").map((l) => l.fields),
      [
        {
          client_id: 0,
          host: HOST,
          address: "127.0.0.2",
          answers: ["127.0.0.2", "127.0.0.3"],
        },
        {
          client_id: 1,
          host: HOST,
          address: "127.0.0.3",
          answers: ["127.0.0.3", "127.0.0.2"],
        },
      ],
    );
  } finally {
    await dns.close();
  }
});

Deno.test("--resolve-dns and --dns-server problems are reported together, exit 2", async () => {
  const url = `http://${HOST}/stream.m3u8`;
  const both = loadConfig(
    { "resolve-dns": true, resolve: [`${HOST}:80:127.0.0.2`], "dns-server": "dns.example" },
    url,
  );
  assertEquals(both.ok ? [] : both.errors, [
    'dns-server: "dns.example" is not IP[:PORT] (a resolver\'s address, as dig @IP)',
    "resolve-dns: give --resolve or --resolve-dns, not both (--resolve names the addresses, " +
    "--resolve-dns has each viewer look them up)",
  ]);
  const alone = loadConfig({ "dns-server": "127.0.0.1:99999" }, url);
  assertEquals(alone.ok ? [] : alone.errors, [
    "dns-server: the port must be from 1 to 65535 (got 99999)",
    "dns-server: only used with --resolve-dns (give both)",
  ]);
  const address = loadConfig({ "resolve-dns": true }, "http://127.0.0.1/stream.m3u8");
  assertEquals(address.ok ? [] : address.errors, [
    "resolve-dns: the stream URL's host 127.0.0.1 is an address: there is nothing to look up",
  ]);
  const ok = loadConfig({ "resolve-dns": true, "dns-server": "[::1]:5353" }, url);
  assertEquals(ok.ok && ok.config.resolveDns, {
    host: HOST,
    port: 80,
    server: { ipAddr: "::1", port: 5353 },
  });

  const run = await runSwarm(["--resolve-dns", `--resolve=${HOST}:80:127.0.0.2`, url]);
  assertEquals(run.code, 2, run.stderr);
  assertStringIncludes(run.stderr, "resolve-dns: give --resolve or --resolve-dns, not both");
});

Deno.test("--print-cmd shows client 0's lookup and command; k8s render passes both flags on", async () => {
  const dns = await startDnsServer({ [HOST]: ["127.0.0.3", "127.0.0.2"] });
  try {
    const server = `127.0.0.1:${dns.port}`;
    const url = `http://${HOST}:8080/stream.m3u8`;
    const print = await runSwarm(["--print-cmd", "--resolve-dns", `--dns-server=${server}`, url]);
    assertEquals(print.code, 0, print.stderr);
    assertStringIncludes(
      print.stdout,
      `# edge addresses: ${HOST}:8080 → each viewer's own DNS lookup at ${server} (first ` +
        "answer, kept for the run); client 0 → 127.0.0.3 (its lookup now; every viewer, in " +
        "every pod, looks up itself)",
    );
    assertStringIncludes(print.stdout, ` -i http://127.0.0.3:8080/stream.m3u8 `);
    assertStringIncludes(print.stdout, `Host: ${HOST}:8080`);
    assertEquals(dns.queries.length, 1);

    const render = await runSwarm([
      "k8s",
      "render",
      "--shards=2",
      "--clients=4",
      "--duration=1m",
      "--run-id=dns-run",
      "--start-at=2030-06-01T12:00:00Z",
      "--resolve-dns",
      `--dns-server=${server}`,
      url,
    ]);
    assertEquals(render.code, 0, render.stderr);
    assertStringIncludes(render.stdout, 'HLS_SWARM_RESOLVE_DNS: "true"');
    assertStringIncludes(render.stdout, `HLS_SWARM_DNS_SERVER: "${server}"`);
    assertStringIncludes(
      render.stdout,
      `# edge addresses: ${HOST}:8080 → each viewer's own DNS lookup at ${server} (first ` +
        "answer, kept for the run), in each pod",
    );
    // Rendering looks nothing up: each pod's viewers do.
    assertEquals(dns.queries.length, 1);
  } finally {
    await dns.close();
  }
});

Deno.test("past 63 addresses the DNS names, a shard counts the rest as one group, 'other'", async () => {
  const addresses = Array.from({ length: 70 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  const dns = await startDnsServer({ [HOST]: addresses });
  try {
    const loaded = loadConfig(
      { "resolve-dns": true, "dns-server": `127.0.0.1:${dns.port}` },
      `http://${HOST}/stream.m3u8`,
    );
    assert(loaded.ok, JSON.stringify(loaded));
    const caps = await detectCapabilities("ffmpeg", runCommand);
    const tls: TlsSetup = {
      verify: true,
      caFile: null,
      extraCaPem: [],
      describe: "system",
      cleanup: async () => {},
    };
    const clients = partitionClients(loaded.config, caps, { kind: "all" }, tls, keepingLogger());
    const signal = new AbortController().signal;
    const groups: (string | null)[] = [];
    // One after another, so viewer k gets the k-th rotation: its first answer is address k.
    for (let id = 0; id < 70; id++) {
      const { args } = await clients.command(id, signal);
      assertEquals(args[args.indexOf("-i") + 1], `http://${addresses[id]}/stream.m3u8`);
      groups.push(clients.groupsOf?.(id).address ?? null);
    }
    assertEquals(groups.slice(0, 63), addresses.slice(0, 63));
    assertEquals(groups.slice(63), Array(7).fill("other"));
    // A viewer's group stays what it was.
    assertEquals(clients.groupsOf?.(2).address, addresses[2]);
  } finally {
    await dns.close();
  }
});
