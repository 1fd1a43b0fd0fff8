/**
 * hls-swarm with the newer FFmpeg builds of the Debian chroots that
 * tools/ffmpeg-matrix/chroot.sh makes (`make ffmpeg-chroots`): 7.1 (trixie) and 9.0 (sid). For
 * each one that is built: a short agreement run against nginx, and the shutdown guarantees. A
 * missing chroot makes its test ignored, and says so. The wrappers remount proc, /dev and /tmp
 * into the chroot when they find them gone; the test unmounts them when it is done, so no bind
 * mount of the host's /dev or /tmp outlives it.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import {
  ffmpegPids,
  finishSwarm,
  ROOT,
  runSwarm,
  spawnSwarm,
  startNginx,
  tallyAccessLog,
  uniqueAgent,
  waitForClients,
} from "./helpers.ts";

const CHROOTS = Deno.env.get("HLS_SWARM_CHROOT_DIR") ?? "/var/cache/hls-swarm/ffmpeg";
const BUILDS = [{ suite: "trixie", version: "7.1" }, { suite: "sid", version: "9.0" }];
const CLIENTS = 10;

/** The chroot's ffmpeg wrapper, or null when the chroot is not built (no stamp). */
function wrapperOf(suite: string): string | null {
  try {
    Deno.statSync(`${CHROOTS}/${suite}/stamp`);
    Deno.statSync(`${CHROOTS}/${suite}/bin/ffmpeg`);
    return `${CHROOTS}/${suite}/bin/ffmpeg`;
  } catch {
    return null;
  }
}

/** Mount points at or under `dir` (from /proc/self/mountinfo, octal escapes decoded). */
async function mountsUnder(dir: string): Promise<string[]> {
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  return info.split("\n").map((l) => l.split(" ")[4] ?? "")
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** `chroot.sh umount`: what the wrappers mounted goes (they remount on their next run). */
async function unmount(suite: string): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}tools/ffmpeg-matrix/chroot.sh`, "umount", suite, `${CHROOTS}/${suite}`],
    stdout: "null",
    stderr: "piped",
  }).output();
  return out.success ? "" : new TextDecoder().decode(out.stderr);
}

/** Manifest and segment requests and 2xx bytes of one test's clients in nginx's access log. */
function near(actual: number, expected: number, fraction: number, what: string): void {
  assert(expected > 0, `${what}: nothing to compare`);
  const off = ((actual / expected - 1) * 100).toFixed(2);
  console.log(`${what}: hls-swarm ${actual}, nginx ${expected} (${off} %)`);
  assertBetween(actual, expected * (1 - fraction), expected * (1 + fraction), what);
}

for (const { suite, version } of BUILDS) {
  const ffmpeg = wrapperOf(suite);
  const name = `FFmpeg ${version} (Debian ${suite} chroot): agreement with nginx, and shutdown`;
  if (!ffmpeg) {
    console.log(
      `${name}: ignored, no chroot at ${CHROOTS}/${suite} (build it: make ffmpeg-chroots)`,
    );
  }
  Deno.test({ name, ignore: !ffmpeg }, async (t) => {
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
    const nginx = await startNginx(origin.dir);
    const json = await Deno.makeTempFile({ suffix: ".json" });
    try {
      await t.step(
        `${CLIENTS} clients for 60 s: counts and bytes as nginx logged them`,
        async () => {
          const agent = uniqueAgent(`matrix-${version}`);
          const run = await runSwarm([
            `--ffmpeg=${ffmpeg}`,
            `--clients=${CLIENTS}`,
            `--ramp-rate=${CLIENTS}`,
            // A stop cuts one segment per client, which nginx may log as partly sent: over 60 s
            // that is 1 segment in 33.
            "--duration=60s",
            "--metrics=off",
            `--user-agent=${agent}`,
            `--summary-json=${json}`,
            nginx.url("/stream.m3u8"),
          ]);
          assertEquals(run.code, 0, run.stderr.slice(-2000));
          const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
          assert(s.run.ffmpeg.version.startsWith(version), `ran FFmpeg ${s.run.ffmpeg.version}`);
          // 9.0 accepts the datetime log flag (its stamps time TTFB), 7.1 does not.
          assertEquals(s.run.ffmpeg.datetimeLogFlag, version === "9.0");
          const n = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
          const tr = s.traffic;
          near(tr.requests.manifest, n.manifest, 0.01, `FFmpeg ${version} manifest requests`);
          near(tr.requests.segment, n.segment, 0.01, `FFmpeg ${version} segment requests`);
          near(tr.bytes.manifest, n.bytes.manifest, 0.02, `FFmpeg ${version} manifest bytes`);
          near(tr.bytes.segment, n.bytes.segment, 0.02, `FFmpeg ${version} segment bytes`);
          // The HLS demuxer's own lines are read (9.0 renamed its context to in#0/hls).
          assertEquals(tr.events.segmentsFailed + tr.events.sequenceSkips, 0);
          assertEquals(tr.ttfbMs.segment.count + tr.ttfbMs.manifest.count, tr.totalRequests);
          assertEquals(s.lines.dropped, 0);
          assertEquals(s.clients.receivedMedia, CLIENTS);
          // Healthy clients at a fast origin keep up and are not stalled.
          assertEquals([tr.playback.keepingUp, tr.playback.stalled], [CLIENTS, 0]);
        },
      );

      const running = async (what: string) => {
        const agent = uniqueAgent(`matrix-${version}-${what}`);
        const child = spawnSwarm([
          `--ffmpeg=${ffmpeg}`,
          "--clients=3",
          "--ramp-rate=20",
          "--metrics=off",
          `--user-agent=${agent}`,
          nginx.url("/stream.m3u8"),
        ]);
        await waitForClients(agent, 3);
        return { agent, child };
      };

      await t.step("SIGTERM: graceful stop, exit 0, no FFmpeg left", async () => {
        const { agent, child } = await running("sigterm");
        child.kill("SIGTERM");
        const run = await finishSwarm(child);
        assertEquals(run.code, 0, run.stderr.slice(-2000));
        assertEquals(await ffmpegPids(agent), []);
      });

      await t.step("SIGKILL of hls-swarm: no FFmpeg remains 2 s later", async () => {
        const { agent, child } = await running("sigkill");
        child.kill("SIGKILL");
        await child.output();
        await new Promise((r) => setTimeout(r, 2000));
        assertEquals(await ffmpegPids(agent), []);
      });

      await t.step(
        "chroot.sh umount leaves no mount of proc, /dev or /tmp in the chroot",
        async () => {
          assertEquals(await unmount(suite), "");
          assertEquals(await mountsUnder(`${CHROOTS}/${suite}/root`), []);
        },
      );
    } finally {
      // Also when a step failed: the bind mounts must not outlive the test.
      const error = await unmount(suite);
      if (error) console.error(`chroot.sh umount ${suite}: ${error}`);
      await Deno.remove(json).catch(() => {});
      await nginx.stop();
      await origin.close();
    }
  });
}
