/**
 * The start of a compiled hls-swarm, without denort: src/fanin/extract_probe.ts built with `deno
 * bundle` (as `make bundle` builds dist/hls-swarm.js) and run as a standalone start whose
 * embedded fan-in is the real `build/hls-swarm-fanin` (`make native`) with its `sha256sum`, laid
 * out as `make compile` lays it out. Each run is a separate process, as each start is.
 */
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import type { ProbeResult } from "./extract_probe.ts";
import { FANIN_PROTOCOL, RecordDecoder, type RecordHandler } from "./records.ts";

const FANIN = new URL("../../build/hls-swarm-fanin", import.meta.url).pathname;
const PROBE = new URL("./extract_probe.ts", import.meta.url).pathname;
const TARGET = Deno.build.target;
const UID = Deno.uid() ?? 0;

/** A work folder with the bundle and a virtual root holding the embedded fan-in. */
async function setup(): Promise<{ dir: string; sha256: string }> {
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-extract-" });
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "-o", `${dir}/probe.js`, PROBE],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(built.code, 0, new TextDecoder().decode(built.stderr));
  const embed = `${dir}/root/build/compile/${TARGET}`;
  await Deno.mkdir(embed, { recursive: true });
  await Deno.copyFile(FANIN, `${embed}/hls-swarm-fanin`);
  const sha256 = await sha256sum(`${embed}/hls-swarm-fanin`);
  await Deno.writeTextFile(`${embed}/hls-swarm-fanin.sha256`, `${sha256}  hls-swarm-fanin\n`);
  return { dir, sha256 };
}

/** coreutils' hash of a file: a check that does not share the code under test. */
async function sha256sum(path: string): Promise<string> {
  const out = await new Deno.Command("sha256sum", { args: [path], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split(" ")[0];
}

/** One start of the bundled probe; `shell` wraps it (e.g. in a mount namespace). */
async function start(
  dir: string,
  env: Record<string, string>,
  shell = "",
): Promise<ProbeResult> {
  const run = `'${Deno.execPath()}' run -A --no-config '${dir}/probe.js' '${dir}/root'`;
  const out = await new Deno.Command(shell ? "unshare" : "sh", {
    args: shell ? ["-m", "sh", "-c", `${shell} && ${run}`] : ["-c", run],
    env: { ...env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR ?? "", HLS_SWARM_FANIN: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, text + new TextDecoder().decode(out.stderr));
  return JSON.parse(text);
}

/** The helper's first record, read from the helper itself. */
async function hello(path: string): Promise<{ ms: number; protocol: number }> {
  const child = new Deno.Command(path, { stdin: "piped", stdout: "piped" }).spawn();
  const reader = child.stdout.getReader();
  let seen: { ms: number; protocol: number } | null = null;
  const none = () => {};
  const handler: RecordHandler = {
    hello: (ms, protocol) => seen = { ms, protocol },
    started: none,
    spawnFailed: none,
    line: none,
    dropped: none,
    closed: none,
    exited: none,
  };
  const decoder = new RecordDecoder();
  while (!seen) {
    const { value } = await reader.read();
    assert(value, "the helper ended before its hello");
    decoder.push(value, handler);
  }
  reader.releaseLock();
  await child.stdin.close();
  await child.stdout.cancel();
  await child.status;
  return seen;
}

Deno.test("a compiled start writes the fan-in once, checks it, uses it, and a second start reuses it", async () => {
  const { dir, sha256 } = await setup();
  try {
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    const first = await start(dir, { TMPDIR: tmp });
    const path = `${tmp}/hls-swarm-${UID}/hls-swarm-fanin-${sha256}`;
    assertEquals(first.found.path, path, JSON.stringify(first));
    assertEquals([first.reader, first.lines, first.code], ["native", ["hello from a client"], 0]);
    assertEquals(first.warning, undefined);
    assertEquals(await sha256sum(path), sha256);
    const file = await Deno.lstat(path);
    assertEquals(file.mode! & 0o7777, 0o500);
    assertEquals((await Deno.lstat(`${tmp}/hls-swarm-${UID}`)).mode! & 0o7777, 0o700);
    assertEquals([...Deno.readDirSync(`${tmp}/hls-swarm-${UID}`)].length, 1, "no temporary left");
    const greeting = await hello(path);
    assertEquals(greeting.protocol, FANIN_PROTOCOL);
    assert(greeting.ms > 0);

    const second = await start(dir, { TMPDIR: tmp });
    assertEquals([second.found.path, second.reader, second.lines], [path, "native", first.lines]);
    const again = await Deno.lstat(path);
    assertEquals([again.ino, again.mtime?.getTime()], [file.ino, file.mtime?.getTime()]);
    console.log(`written ${path} (${file.size} bytes, 0500), reused by the second start`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a fan-in that no longer matches its hash or mode is replaced, not used", async () => {
  const { dir, sha256 } = await setup();
  try {
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    const path = (await start(dir, { TMPDIR: tmp })).found.path!;
    // A stand-in that would pass the --version check: only the hash tells it apart.
    await Deno.chmod(path, 0o700);
    await Deno.writeTextFile(path, "#!/bin/sh\necho hls-swarm-fanin 1 protocol 1\n");
    await Deno.chmod(path, 0o500);
    const tampered = (await Deno.lstat(path)).ino;
    const after = await start(dir, { TMPDIR: tmp });
    assertEquals([after.found.path, after.reader, after.lines], [path, "native", [
      "hello from a client",
    ]]);
    assertEquals(await sha256sum(path), sha256);
    assert((await Deno.lstat(path)).ino !== tampered, "rewritten, not edited in place");
    // The right bytes, but writable by others: replaced too.
    await Deno.chmod(path, 0o757);
    await start(dir, { TMPDIR: tmp });
    assertEquals((await Deno.lstat(path)).mode! & 0o7777, 0o500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder someone else owns, others may write or that is a link is refused", async () => {
  const { dir } = await setup();
  try {
    const cases: [string, (f: string) => Promise<void>, string][] = [
      ["world-writable", async (f) => {
        await Deno.mkdir(f);
        await Deno.chmod(f, 0o777);
      }, "is writable by group or others (mode 777): refused"],
      ["someone else's", async (f) => {
        await Deno.mkdir(f, { mode: 0o700 });
        await Deno.chown(f, UID === 65534 ? 0 : 65534, null);
      }, `is owned by uid ${UID === 65534 ? 0 : 65534}, not ${UID}: refused`],
      ["a link", async (f) => {
        await Deno.mkdir(`${f}-real`, { mode: 0o700 });
        await Deno.symlink(`${f}-real`, f);
      }, "is not a directory (a symbolic link): refused"],
    ];
    for (const [name, make, why] of cases) {
      const tmp = await Deno.makeTempDir({ dir, prefix: "tmp-" });
      await make(`${tmp}/hls-swarm-${UID}`);
      const got = await start(dir, { TMPDIR: tmp });
      assertEquals([got.found.path, got.reader, got.lines], [null, "deno", [
        "hello from a client",
      ]], name);
      assertStringIncludes(got.found.why ?? "", `${tmp}/hls-swarm-${UID} ${why}`);
      assertStringIncludes(got.warning ?? "", "line_reader_fallback");
      assertEquals(got.warning!.trim().split("\n").length, 1, "one warning line");
    }
    // $XDG_RUNTIME_DIR comes first; an unsafe one is passed over for the temporary folder.
    const xdg = await Deno.makeTempDir({ dir, prefix: "xdg-" });
    const tmp = await Deno.makeTempDir({ dir, prefix: "tmp-" });
    const safe = await start(dir, { TMPDIR: tmp, XDG_RUNTIME_DIR: xdg });
    assert(safe.found.path?.startsWith(`${xdg}/hls-swarm/hls-swarm-fanin-`), safe.found.path!);
    await Deno.chmod(xdg, 0o777);
    const passed = await start(dir, { TMPDIR: tmp, XDG_RUNTIME_DIR: xdg });
    assert(passed.found.path?.startsWith(`${tmp}/hls-swarm-${UID}/`), passed.found.path!);
    assertEquals(passed.reader, "native");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("on a read-only root a writable /tmp is used; with nothing writable or noexec, Deno's pipes and why", async () => {
  const { dir } = await setup();
  try {
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    // A private mount namespace: the root read-only, only `tmp` writable (as a pod's emptyDir).
    const readOnly = "mount --make-rprivate / && mount -o remount,ro,bind /";
    const ok = await start(dir, { TMPDIR: tmp }, `mount --bind ${tmp} ${tmp} && ${readOnly}`);
    assertEquals([ok.reader, ok.lines, ok.code], ["native", ["hello from a client"], 0]);
    assert(ok.found.path?.startsWith(`${tmp}/hls-swarm-${UID}/`));

    const none = await Deno.makeTempDir({ dir, prefix: "tmp-" });
    const ro = await start(dir, { TMPDIR: none }, readOnly);
    assertEquals([ro.found.path, ro.reader, ro.lines], [null, "deno", ["hello from a client"]]);
    assertStringIncludes(
      ro.warning ?? "",
      `no private place to write hls-swarm-fanin to: XDG_RUNTIME_DIR is not set; cannot create ` +
        `${none}/hls-swarm-${UID}: Read-only file system`,
    );
    console.log(`fallback: ${ro.warning}`);

    // Writable but mounted noexec: written, then found not to run, and the log says so.
    const noexec = await Deno.makeTempDir({ dir, prefix: "tmp-" });
    const nx = await start(
      dir,
      { TMPDIR: noexec },
      `mount --bind ${noexec} ${noexec} && mount -o remount,bind,noexec ${noexec}`,
    );
    assertEquals([nx.found.path, nx.reader, nx.lines], [null, "deno", ["hello from a client"]]);
    assertStringIncludes(nx.warning ?? "", "cannot run (a noexec mount?)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an embedded fan-in that does not match its recorded hash is not written out", async () => {
  const { dir } = await setup();
  try {
    const embed = `${dir}/root/build/compile/${TARGET}/hls-swarm-fanin.sha256`;
    await Deno.writeTextFile(embed, `${"0".repeat(64)}  hls-swarm-fanin\n`);
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    const got = await start(dir, { TMPDIR: tmp });
    assertEquals([got.found.path, got.reader], [null, "deno"]);
    assertStringIncludes(got.found.why ?? "", `not ${"0".repeat(64)} (a damaged build)`);
    assertEquals([...Deno.readDirSync(tmp)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
