/**
 * Tests of the built-in test origin (`src/test_origin/`): pure helpers directly, and the real
 * FFmpeg generator + HTTP server on a free port.
 */

import assert from "node:assert/strict";
import {
  buildGeneratorArgs,
  DEFAULT_ORIGIN_OPTIONS,
  formatAccessLogLine,
  generatorVariants,
  handleOriginRequest,
  type OriginOptions,
  parseAccessLogLine,
  startOrigin,
  validateOriginOptions,
} from "../src/test_origin/mod.ts";
import { parseRangeHeader } from "../src/test_origin/server.ts";

/** Small and fast: keeps the generator cheap and the first two segments quick. */
const FAST_OPTIONS: OriginOptions = {
  ...DEFAULT_ORIGIN_OPTIONS,
  port: 0,
  width: 320,
  height: 180,
  fps: 15,
  bitrateKbps: 300,
  segmentSeconds: 1,
  listSize: 4,
};
const USER_AGENT = 'origin-test/1.0 (with "quotes")';
const quiet = (): void => {};

function argAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

/** Sends a request with a verbatim target (fetch would normalise `..` away). */
async function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`),
    );
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const buffer = new Uint8Array(16 * 1024);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      chunks.push(buffer.slice(0, n));
    }
    const text = new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    conn.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line mentions `text` (e.g. an origin's directory). */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(text)) pids.push(Number(entry.name));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

function segmentUris(playlist: string): string[] {
  return playlist.split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

async function assertCleanedUp(dir: string, generatorPid: number): Promise<void> {
  assert.equal(await exists(dir), false, `temp dir ${dir} still exists`);
  assert.equal(processAlive(generatorPid), false, `generator ${generatorPid} still running`);
  assert.deepEqual(await processesMentioning(dir), []);
}

Deno.test("buildGeneratorArgs: single rendition", () => {
  const opts = { ...DEFAULT_ORIGIN_OPTIONS, segmentSeconds: 2, fps: 30, bitrateKbps: 800 };
  const args = buildGeneratorArgs(opts, "/srv/o");
  assert.equal(argAfter(args, "-i"), "testsrc2=size=640x360:rate=30");
  assert.ok(args.includes("sine=frequency=1000:sample_rate=48000"));
  assert.equal(args[args.indexOf("-f") - 1], "-re");
  assert.equal(argAfter(args, "-c:v"), "libx264");
  assert.equal(argAfter(args, "-tune"), "zerolatency");
  assert.equal(argAfter(args, "-g"), "60");
  assert.equal(argAfter(args, "-keyint_min"), "60");
  assert.equal(argAfter(args, "-sc_threshold"), "0");
  assert.equal(argAfter(args, "-b:v"), "800k");
  assert.equal(argAfter(args, "-maxrate"), "800k");
  assert.equal(argAfter(args, "-bufsize"), "1600k");
  assert.ok(!args.some((arg) => arg.startsWith("-minrate")), "no minrate");
  assert.equal(argAfter(args, "-c:a"), "aac");
  assert.equal(argAfter(args, "-hls_time"), "2");
  assert.equal(argAfter(args, "-hls_list_size"), "6");
  assert.ok(Number(argAfter(args, "-hls_delete_threshold")) >= 1);
  assert.equal(
    argAfter(args, "-hls_flags"),
    "delete_segments+omit_endlist+temp_file+program_date_time",
  );
  assert.equal(
    argAfter(buildGeneratorArgs({ ...opts, programDateTime: false }, "/srv/o"), "-hls_flags"),
    "delete_segments+omit_endlist+temp_file",
  );
  assert.equal(argAfter(args, "-hls_segment_filename"), "/srv/o/seg%05d.ts");
  assert.equal(args.at(-1), "/srv/o/stream.m3u8");
  assert.ok(!args.includes("-var_stream_map") && !args.includes("-filter_complex"));
});

Deno.test("buildGeneratorArgs: ABR ladder scaled from the configured rendition", () => {
  const opts = { ...DEFAULT_ORIGIN_OPTIONS, width: 1280, height: 720, bitrateKbps: 2000 };
  const args = buildGeneratorArgs({ ...opts, abr: true }, "/srv/o");
  assert.deepEqual(
    generatorVariants({ ...opts, abr: true }).map((
      v,
    ) => [v.name, v.width, v.height, v.bitrateKbps]),
    [["720p", 1280, 720, 2000], ["360p", 640, 360, 500]],
  );
  const filter = argAfter(args, "-filter_complex") ?? "";
  assert.match(filter, /split=2/);
  assert.match(filter, /scale=640:360/);
  assert.equal(argAfter(args, "-var_stream_map"), "v:0,a:0,name:720p v:1,a:1,name:360p");
  assert.equal(argAfter(args, "-master_pl_name"), "master.m3u8");
  assert.equal(argAfter(args, "-b:v:0"), "2000k");
  assert.equal(argAfter(args, "-maxrate:v:0"), "2000k");
  assert.equal(argAfter(args, "-b:v:1"), "500k");
  assert.equal(argAfter(args, "-bufsize:v:1"), "1000k");
  assert.equal(argAfter(args, "-hls_segment_filename"), "/srv/o/%v/seg%05d.ts");
  assert.equal(args.at(-1), "/srv/o/%v/stream.m3u8");
  assert.equal(args.filter((arg) => arg === "-map").length, 4);
});

Deno.test("validateOriginOptions rejects bad values by name", () => {
  validateOriginOptions(DEFAULT_ORIGIN_OPTIONS);
  assert.throws(() => validateOriginOptions({ ...DEFAULT_ORIGIN_OPTIONS, width: 641 }), /width/);
  assert.throws(
    () => validateOriginOptions({ ...DEFAULT_ORIGIN_OPTIONS, failRate: 2 }),
    /failRate/,
  );
  assert.throws(
    () => validateOriginOptions({ ...DEFAULT_ORIGIN_OPTIONS, failStatus: 200 }),
    /failStatus/,
  );
  assert.throws(() => validateOriginOptions({ ...DEFAULT_ORIGIN_OPTIONS, port: 70000 }), /port/);
});

Deno.test("access log lines round-trip through parseAccessLogLine", () => {
  const entry = {
    time: new Date("2024-05-01T12:00:00.123Z"),
    method: "GET",
    path: "/360p/seg00012.ts?x=1",
    status: 206,
    bodyBytes: 1024,
    durationMs: 1.25,
    userAgent: 'Lavf/59 "odd" \\ agent\ttab',
  };
  const line = formatAccessLogLine(entry);
  assert.equal(
    line,
    '2024-05-01T12:00:00.123Z GET /360p/seg00012.ts?x=1 206 1024 1.250 "Lavf/59 \\"odd\\" \\\\ agent\\x09tab"',
  );
  assert.deepEqual(parseAccessLogLine(line), entry);
  assert.deepEqual(parseAccessLogLine(line + "\n"), entry);
  assert.equal(parseAccessLogLine(formatAccessLogLine({ ...entry, userAgent: "" }))?.userAgent, "");
  assert.equal(parseAccessLogLine(""), undefined);
  assert.equal(parseAccessLogLine("not an access log line"), undefined);
  assert.equal(parseAccessLogLine('nope GET / 200 1 1.0 "ua"'), undefined);
});

Deno.test("parseRangeHeader", () => {
  assert.deepEqual(parseRangeHeader("bytes=0-99", 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRangeHeader("bytes=900-", 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRangeHeader("bytes=-100", 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRangeHeader("bytes=990-5000", 1000), { start: 990, end: 999 });
  assert.equal(parseRangeHeader("bytes=1000-", 1000), "unsatisfiable");
  assert.equal(parseRangeHeader("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseRangeHeader(null, 1000), undefined);
  assert.equal(parseRangeHeader("bytes=0-1,5-6", 1000), undefined);
  assert.equal(parseRangeHeader("bytes=9-3", 1000), undefined);
  assert.equal(parseRangeHeader("items=0-1", 1000), undefined);
});

Deno.test("handleOriginRequest without a socket: types, ranges, faults", async () => {
  const dir = await Deno.makeTempDir({ prefix: "origin-handler-test-" });
  try {
    await Deno.writeTextFile(`${dir}/stream.m3u8`, "#EXTM3U\n#EXTINF:1,\nseg00000.ts\n");
    await Deno.writeFile(`${dir}/seg00000.ts`, new Uint8Array(1000).fill(7));
    await Deno.writeFile(`${dir}/part.m4s`, new Uint8Array(10));
    await Deno.writeTextFile(`${dir}/access.log`, "secret\n");
    const randoms = [0.1, 0.9];
    const opts = {
      dir,
      failRate: 0.5,
      failStatus: 503,
      random: () => randoms.shift() ?? assert.fail("random called too often"),
    };
    const get = (path: string, init?: RequestInit) =>
      handleOriginRequest(new Request(`http://origin${path}`, init), opts);

    const playlist = await get("/stream.m3u8");
    assert.equal(playlist.status, 200);
    assert.equal(playlist.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assert.match(playlist.headers.get("cache-control") ?? "", /no-cache/);
    assert.match(await playlist.text(), /^#EXTM3U/);

    // random() 0.1 < 0.5 fails the first segment request, 0.9 lets the second through.
    const failed = await get("/seg00000.ts");
    assert.equal(failed.status, 503);
    await failed.body?.cancel();
    const ranged = await get("/seg00000.ts", { headers: { range: "bytes=10-19" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-type"), "video/mp2t");
    assert.match(ranged.headers.get("cache-control") ?? "", /max-age=\d+/);
    assert.equal(ranged.headers.get("content-range"), "bytes 10-19/1000");
    assert.equal((await ranged.bytes()).length, 10);
    assert.equal(randoms.length, 0);

    const quietOpts = { ...opts, failRate: 0 };
    const m4s = await handleOriginRequest(new Request("http://origin/part.m4s"), quietOpts);
    assert.equal(m4s.headers.get("content-type"), "video/iso.segment");
    await m4s.body?.cancel();
    const unsatisfiable = await handleOriginRequest(
      new Request("http://origin/seg00000.ts", { headers: { range: "bytes=5000-" } }),
      quietOpts,
    );
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get("content-range"), "bytes */1000");
    await unsatisfiable.body?.cancel();

    for (const [path, status] of [["/access.log", 404], ["/nope.ts", 404], ["/", 404]] as const) {
      const res = await handleOriginRequest(new Request(`http://origin${path}`), quietOpts);
      assert.equal(res.status, status, path);
      await res.body?.cancel();
    }
    const encodedTraversal = await handleOriginRequest(
      new Request("http://origin/..%2f..%2fetc%2fpasswd"),
      quietOpts,
    );
    assert.equal(encodedTraversal.status, 403);
    await encodedTraversal.body?.cancel();
    const post = await handleOriginRequest(
      new Request("http://origin/stream.m3u8", { method: "POST" }),
      quietOpts,
    );
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("origin serves a live stream over HTTP and cleans up on close", async (t) => {
  const origin = await startOrigin(FAST_OPTIONS, { log: quiet });
  const headers = { "user-agent": USER_AGENT };
  try {
    assert.ok(origin.port > 0);
    assert.equal(origin.url, `http://127.0.0.1:${origin.port}/stream.m3u8`);
    assert.ok(origin.dir.includes("hls-swarm-origin-"));
    let segment = "";

    await t.step("playlist is a live HLS playlist with segments", async () => {
      const res = await fetch(origin.url, { headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/vnd.apple.mpegurl");
      const text = await res.text();
      assert.match(text, /^#EXTM3U/);
      assert.match(text, /#EXT-X-TARGETDURATION:1/);
      assert.doesNotMatch(text, /#EXT-X-ENDLIST/);
      const uris = segmentUris(text);
      assert.ok(uris.length >= 2, text);
      segment = uris[0];
      assert.match(segment, /^seg\d{5}\.ts$/);
    });

    await t.step("segment with Range gives 206", async () => {
      const full = await fetch(`${origin.baseUrl}/${segment}`, { headers });
      assert.equal(full.status, 200);
      assert.equal(full.headers.get("content-type"), "video/mp2t");
      const size = (await full.bytes()).length;
      assert.equal(Number(full.headers.get("content-length")), size);
      assert.ok(size > 188);
      const res = await fetch(`${origin.baseUrl}/${segment}`, {
        headers: { ...headers, range: "bytes=0-187" },
      });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get("content-range"), `bytes 0-187/${size}`);
      const bytes = await res.bytes();
      assert.equal(bytes.length, 188);
      assert.equal(bytes[0], 0x47, "MPEG-TS sync byte");
      const tooFar = await fetch(`${origin.baseUrl}/${segment}`, {
        headers: { ...headers, range: `bytes=${size}-` },
      });
      assert.equal(tooFar.status, 416);
      await tooFar.body?.cancel();
    });

    await t.step("HEAD, 404 and /health", async () => {
      const head = await fetch(origin.url, { method: "HEAD", headers });
      assert.equal(head.status, 200);
      assert.ok(Number(head.headers.get("content-length")) > 0);
      assert.equal(head.headers.get("content-type"), "application/vnd.apple.mpegurl");
      await head.body?.cancel();
      const missing = await fetch(`${origin.baseUrl}/seg99999.ts`, { headers });
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
      const health = await fetch(`${origin.baseUrl}/health`, { headers });
      assert.equal(health.status, 200);
      await health.body?.cancel();
    });

    await t.step("path traversal is refused", async () => {
      for (
        const target of [
          "/../etc/passwd",
          "/%2e%2e/%2e%2e/etc/passwd",
          "/..%2f..%2f..%2fetc%2fpasswd",
          "/../access.log",
        ]
      ) {
        const { status, body } = await rawGet(origin.port, target);
        assert.ok([400, 403, 404].includes(status), `${target} answered ${status}`);
        assert.doesNotMatch(body, /root:/, target);
      }
    });

    await t.step("access log has one parsable line per request with the UA", async () => {
      const lines = (await Deno.readTextFile(origin.accessLogPath)).trim().split("\n");
      const entries = lines.map((line) => parseAccessLogLine(line));
      assert.ok(entries.every((entry) => entry !== undefined), lines.join("\n"));
      const ours = entries.filter((entry) => entry?.userAgent === USER_AGENT);
      // playlist, 2 segment GETs, 416, HEAD, 404, health
      assert.equal(ours.length, 7, lines.join("\n"));
      assert.deepEqual(ours.map((entry) => entry?.status), [200, 200, 206, 416, 200, 404, 200]);
      assert.equal(ours[2]?.bodyBytes, 188);
      assert.equal(ours[4]?.method, "HEAD");
      assert.equal(ours[4]?.bodyBytes, 0);
      assert.equal(ours[5]?.path, "/seg99999.ts");
      assert.equal(entries.length, 7 + 4, "plus the four raw traversal requests");
    });
  } finally {
    await origin.close();
  }
  await origin.finished;
  await assertCleanedUp(origin.dir, origin.generatorPid);
  await origin.close(); // idempotent
});

Deno.test("failRate 1 fails every segment but no playlist; generator death is reported", async () => {
  const logged: string[] = [];
  const origin = await startOrigin(
    { ...FAST_OPTIONS, failRate: 1, failStatus: 503 },
    { log: (msg) => logged.push(msg) },
  );
  try {
    const playlist = await fetch(origin.url);
    assert.equal(playlist.status, 200);
    const uris = segmentUris(await playlist.text());
    for (const uri of uris.slice(0, 2)) {
      const res = await fetch(`${origin.baseUrl}/${uri}`);
      assert.equal(res.status, 503);
      await res.body?.cancel();
    }
    const statuses = (await Deno.readTextFile(origin.accessLogPath)).trim().split("\n")
      .map((line) => parseAccessLogLine(line)?.status);
    assert.deepEqual(statuses, [200, 503, 503]);

    Deno.kill(origin.generatorPid, "SIGKILL");
    await assert.rejects(
      origin.finished,
      /FFmpeg generator exited unexpectedly with signal SIGKILL/,
    );
    assert.ok(logged.includes("origin generator exited unexpectedly"), logged.join(", "));
    await assertCleanedUp(origin.dir, origin.generatorPid);
  } finally {
    await origin.close();
  }
});

Deno.test("abr origin in a given dir serves a master playlist with two variants", async () => {
  // A caller-owned dir and log path: both must survive close().
  const dir = await Deno.makeTempDir({ prefix: "origin-test-given-" });
  const accessLogPath = `${dir}.access.log`;
  try {
    const origin = await startOrigin({ ...FAST_OPTIONS, abr: true, dir, accessLogPath }, {
      log: quiet,
    });
    try {
      assert.equal(origin.url, `${origin.baseUrl}/master.m3u8`);
      assert.equal(origin.dir, dir);
      const master = await fetch(origin.url);
      assert.equal(master.status, 200);
      assert.equal(master.headers.get("content-type"), "application/vnd.apple.mpegurl");
      const text = await master.text();
      assert.equal(text.match(/#EXT-X-STREAM-INF/g)?.length, 2, text);
      const variants = segmentUris(text);
      assert.deepEqual(variants, ["180p/stream.m3u8", "90p/stream.m3u8"]);
      for (const variant of variants) {
        const res = await fetch(new URL(variant, origin.url));
        assert.equal(res.status, 200, variant);
        const uris = segmentUris(await res.text());
        assert.ok(uris.length >= 2, variant);
        const segment = await fetch(new URL(uris[0], new URL(variant, origin.url)));
        assert.equal(segment.status, 200);
        assert.equal(segment.headers.get("content-type"), "video/mp2t");
        assert.ok((await segment.bytes()).length > 0);
      }
    } finally {
      await origin.close();
    }
    assert.equal(processAlive(origin.generatorPid), false);
    assert.ok(await exists(`${dir}/master.m3u8`), "given dir is left in place");
    const logLines = (await Deno.readTextFile(accessLogPath)).trim().split("\n");
    assert.equal(logLines.length, 5);
    assert.ok(logLines.every((line) => parseAccessLogLine(line)?.status === 200));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(accessLogPath).catch(() => {});
  }
});

Deno.test("a bad ffmpeg path rejects clearly and leaves nothing behind", async () => {
  const dirs: string[] = [];
  const log = (msg: string, fields?: Record<string, unknown>) => {
    if (msg === "origin starting" && typeof fields?.dir === "string") dirs.push(fields.dir);
  };
  await assert.rejects(
    startOrigin({ ...FAST_OPTIONS, ffmpegPath: "/nonexistent/ffmpeg" }, { log }),
    (error: Error) => {
      assert.match(error.message, /FFmpeg/);
      assert.match(error.message, /\/nonexistent\/ffmpeg/);
      return true;
    },
  );
  assert.equal(dirs.length, 1);
  assert.equal(await exists(dirs[0]), false);
});

Deno.test("runOriginUntilSignal cleans up on SIGTERM", async () => {
  const modUrl = new URL("../src/test_origin/mod.ts", import.meta.url).href;
  const options = JSON.stringify(FAST_OPTIONS);
  const script = `
    import { runOriginUntilSignal } from ${JSON.stringify(modUrl)};
    await runOriginUntilSignal(${options}, { log: () => {} }, (origin) => {
      console.log(JSON.stringify({ dir: origin.dir }));
    });
    console.log("stopped");
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const { dir } = JSON.parse(out.split("\n")[0] || "{}") as { dir?: string };
  child.kill("SIGTERM");
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    out += chunk.value;
  }
  const status = await child.status;
  assert.equal(status.code, 0, await stderr);
  await stderr;
  assert.match(out, /stopped/);
  assert.ok(dir !== undefined, out);
  assert.equal(await exists(dir), false);
  assert.deepEqual(await processesMentioning(dir), []);
});
