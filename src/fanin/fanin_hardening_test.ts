/**
 * The fan-in under hostile conditions, with real processes: what its children inherit, running
 * out of descriptors, and requests it must refuse. Needs `make native`; HLS_SWARM_FANIN names
 * another build (to show that a build without the fixes fails these tests).
 */
import { systemClock } from "../clock.ts";
import { createLogger } from "../log/logger.ts";
import { type CollectedRun, collectRun } from "../lines/collect.ts";
import type { ClientChild, ClientSpawner } from "../lines/transport.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { RecordDecoder, type RecordHandler, spawnRequest } from "./records.ts";
import { startFanin } from "./spawner.ts";

const PATH = Deno.env.get("HLS_SWARM_FANIN") ??
  new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;
const log = createLogger({ format: "json", level: "error", sink: () => {} });

/** A client started, with its output collected. */
interface Started {
  child: ClientChild;
  run: CollectedRun;
}

async function start(
  clients: ClientSpawner,
  command: string,
  args: string[],
  progress = false,
): Promise<Started> {
  const run = collectRun({ progress });
  return { child: await clients.spawn(command, args, run.out), run };
}

/**
 * A client that says "up", and "bye" when SIGTERM ends it (exit 0); sh may say "Terminated" (its
 * sleep's end) in between.
 */
const WAITER = [
  "-c",
  `trap 'echo bye >&2; exit 0' TERM; echo up >&2; while :; do sleep 0.05; done`,
];

function upBye(run: CollectedRun): string {
  const lines = run.texts();
  return `${lines[0]} … ${lines.at(-1)}`;
}

async function stop({ child, run }: Started): Promise<void> {
  child.kill("SIGTERM");
  await child.status;
  await run.exit;
}

Deno.test("a child sees descriptors 0, 1 and 2 only, and every descriptor of the fan-in's closes on exec", async () => {
  const clients = startFanin({ path: PATH, clock: systemClock, log });
  // Other clients running, each with both streams piped: their pipes must not leak either.
  const others = [];
  for (let i = 0; i < 4; i++) {
    others.push(await start(clients, "sh", WAITER, true));
  }
  const ls = await start(clients, "ls", ["-l", "/proc/self/fd"], true);
  assertEquals(await ls.child.status, { code: 0, signal: null });
  await ls.run.exit;
  // "lrwx------ 1 u g 64 Dec  7 18:00 3 -> /proc/4242/fd": ls's own directory is the one extra.
  const fds = ls.run.texts("progress").flatMap((l) => {
    const m = l.match(/ (\d+) -> (.*)$/);
    return m ? [{ fd: Number(m[1]), target: m[2] }] : [];
  });
  const seen = fds.filter((f) => !/^\/proc\/\d+\/fd$/.test(f.target));
  console.log(`child's descriptors: ${fds.map((f) => `${f.fd} -> ${f.target}`).join(", ")}`);
  assertEquals(seen.map((f) => f.fd), [0, 1, 2], JSON.stringify(fds));
  assertEquals(seen[0].target, "/dev/null");
  assert(seen[1].target.startsWith("pipe:") && seen[2].target.startsWith("pipe:"));
  assertEquals(fds.length, 4, "ls's listing of /proc/self/fd is the only other descriptor");

  // The fan-in is the parent of every client (field 4 of /proc/<pid>/stat).
  const stat = await Deno.readTextFile(`/proc/${others[0].child.pid}/stat`);
  const fanin = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  const open: string[] = [];
  for await (const e of Deno.readDir(`/proc/${fanin}/fdinfo`)) {
    if (Number(e.name) <= 2) continue;
    const info = await Deno.readTextFile(`/proc/${fanin}/fdinfo/${e.name}`).catch(() => "");
    const flags = parseInt(info.match(/^flags:\s+([0-7]+)/m)?.[1] ?? "0", 8);
    open.push(`${e.name}:${(flags & 0o2000000) ? "cloexec" : "INHERITED"}`);
  }
  console.log(`fan-in ${fanin} descriptors above 2: ${open.join(" ")}`);
  assert(
    open.length >= 3 + 2 * others.length,
    "epoll, signalfd, /dev/null and two pipes per running client",
  );
  assertEquals(open.filter((o) => !o.endsWith("cloexec")), []);
  for (const c of others) await stop(c);
  await clients.close?.();
});

Deno.test("out of descriptors, one spawn fails with EMFILE; the fan-in and its clients go on", async () => {
  // The fan-in under `ulimit -n 24`: 6 descriptors of its own, one per client (stderr only),
  // and four while a spawn is under way, so about the 15th spawn finds no room for its pipes.
  const dir = await Deno.makeTempDir({ prefix: "fanin-ulimit-" });
  const wrapper = `${dir}/fanin`;
  await Deno.writeTextFile(wrapper, `#!/bin/sh\nulimit -n 24 || exit 9\nexec '${PATH}' "$@"\n`);
  await Deno.chmod(wrapper, 0o755);
  const clients = startFanin({ path: wrapper, clock: systemClock, log });
  const running: Started[] = [];
  let failure = "";
  for (let i = 0; i < 40 && !failure; i++) {
    await start(clients, "sh", WAITER).then(
      (started) => running.push(started),
      (e: Error) => failure = e.message,
    );
  }
  console.log(`${running.length} clients started, then: ${failure}`);
  assertEquals(failure, "pipe: Too many open files");
  assert(running.length >= 10 && running.length <= 20, `${running.length} clients`);
  // Still out of descriptors: the next spawn fails the same way, and nothing else.
  const again = await start(clients, "sh", WAITER).then(
    () => "started",
    (e: Error) => e.message,
  );
  assertEquals(again, "pipe: Too many open files");
  // The first client is still served: it answers SIGTERM with its line and its exit status.
  const first = running.shift()!;
  await stop(first);
  assertEquals(await first.child.status, { code: 0, signal: null });
  assertEquals(upBye(first.run), "up … bye");
  // Its descriptor is free again, so the next spawn starts, and is read.
  const later = await start(clients, "sh", WAITER);
  running.push(later);
  for (const r of running) await stop(r);
  assertEquals(upBye(later.run), "up … bye");
  assert(
    running.every((r) => upBye(r.run) === "up … bye"),
    "every client was read to its end",
  );
  await clients.close?.();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an argv over 1,024 arguments is refused with a clear error, never cut", async () => {
  const clients = startFanin({ path: PATH, clock: systemClock, log });
  const args = (
    n: number,
  ) => ["-c", 'echo "$#"', "sh", ...Array.from({ length: n }, (_, i) => `a${i}`)];
  let failure = "";
  await start(clients, "sh", args(1100), true).then(
    () => failure = "started",
    (e: Error) => failure = e.message,
  );
  console.log(`1,104 arguments: ${failure}`);
  assertEquals(failure, "argv has 1104 arguments, the limit is 1024");
  // At the limit it runs with every argument: "sh -c script sh" and 1,020 more.
  const { child, run } = await start(clients, "sh", args(1020), true);
  assertEquals(await child.status, { code: 0, signal: null });
  await run.exit;
  assertEquals(run.texts("progress"), ["1020"]);
  await clients.close?.();
});

/**
 * The fan-in driven through its stdin directly, with requests the spawner never writes. Its stdin
 * closes (which SIGKILLs its clients) once `done` holds for the events, or at once without one.
 */
async function raw(
  requests: Uint8Array[],
  done?: (events: string[]) => boolean,
): Promise<{ events: string[]; code: number; stderr: string }> {
  const proc = new Deno.Command(PATH, { stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
  const events: string[] = [];
  const handler: RecordHandler = {
    hello: () => {},
    started: (t) => events.push(`${t} started`),
    spawnFailed: (t, errno, message) => events.push(`${t} failed ${errno} ${message}`),
    line: (t, _s, text) => events.push(`${t} line ${text}`),
    dropped: () => {},
    closed: () => {},
    exited: (t, code) => events.push(`${t} exited ${code}`),
  };
  const writer = proc.stdin.getWriter();
  for (const r of requests) await writer.write(r).catch(() => {});
  if (!done) await writer.close().catch(() => {});
  const decoder = new RecordDecoder();
  for await (const chunk of proc.stdout) {
    decoder.push(chunk, handler);
    if (done?.(events)) await writer.close().catch(() => {});
  }
  const stderr = await new Response(proc.stderr).text();
  return { events, code: (await proc.status).code, stderr };
}

function withBody(token: number, streams: number, body: number[]): Uint8Array {
  const out = new Uint8Array(10 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 6 + body.length, true);
  out[4] = 0x53;
  view.setUint32(5, token, true);
  out[9] = streams;
  out.set(body, 10);
  return out;
}

Deno.test("a bad request fails its one spawn with errno and reason; a broken frame stops the fan-in with exit 2", async () => {
  const echo = spawnRequest(4, 2, ["sh", "-c", "echo ok"]);
  // Over 16 MiB: refused at its head, its bytes skipped as they come, and the next one runs.
  const huge = new Uint8Array(10 + (1 << 24) - 5);
  new DataView(huge.buffer).setUint32(0, (1 << 24) + 1, true);
  huge.set([0x53, 7, 0, 0, 0, 2], 4);
  const good = await raw([
    withBody(1, 9, [0x73, 0x68, 0]), // streams 9
    withBody(2, 2, []), // no argv
    withBody(3, 2, [0x73, 0x68]), // "sh" without its NUL
    withBody(5, 2, [0, 0x78, 0]), // argv[0] ""
    huge,
    echo,
  ], (events) => events.includes("4 exited 0"));
  // Sorted: the echo child's exit record may come before its line's (two pipes, one epoll pass).
  assertEquals(
    [...good.events].sort(),
    [
      "1 failed 22 streams is 9, not 0..7",
      "2 failed 22 argv is empty",
      "3 failed 22 argv's last argument is not NUL-terminated",
      "5 failed 22 argv[0] is empty",
      "7 failed 7 request of 16777217 bytes is over the limit of 16777216",
      "4 started",
      "4 line ok",
      "4 exited 0",
    ].sort(),
  );
  assertEquals([good.code, good.stderr], [0, ""]);
  // A length under the least, or a type that is not 'S': the next request cannot be found.
  const short = new Uint8Array(8);
  new DataView(short.buffer).setUint32(0, 5, true);
  const tooShort = await raw([echo, short]);
  assertEquals([tooShort.code, tooShort.stderr], [
    2,
    "hls-swarm-fanin: request length 5 is under 6 bytes: Protocol error\n",
  ]);
  const notS = spawnRequest(6, 2, ["true"]);
  notS[4] = 0x51;
  const badType = await raw([notS]);
  assertEquals([badType.code, badType.stderr], [
    2,
    "hls-swarm-fanin: request type 0x51 is not 'S': Protocol error\n",
  ]);
});
