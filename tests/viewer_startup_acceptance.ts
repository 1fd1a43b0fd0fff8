/**
 * Startup time against the origin's own clock, per viewer: nginx, as a reverse proxy in front of
 * the built-in origin, logs `$msec` (when the response was done) and `$request_time` of every
 * request. The truth of a viewer's startup is its first media segment's `$msec` less the start of
 * its first playlist request (`$msec - $request_time`). The origin holds the first segment 0, 1
 * or 3 s for chosen viewers (`--fault startup`). Every viewer's `session_ended` startup must agree
 * within 5 % or 50 ms, whichever is larger, on every FFmpeg here: 5.1 (the system's) and 7.1 and
 * 9.0 when their chroots are built (`make ffmpeg-chroots`). Run alone, by `make test-viewer`.
 */
import { DEFAULT_ORIGIN_OPTIONS, parseFault, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, startNginx, uniqueAgent } from "./helpers.ts";

const CHROOTS = Deno.env.get("HLS_SWARM_CHROOT_DIR") ?? "/var/cache/hls-swarm/ffmpeg";
/** Client id → how long the origin holds its first segment (ms). */
const HOLD_MS = [0, 1000, 3000, 0, 1000, 3000];

const FFMPEGS = [
  { version: "5.1", path: "ffmpeg" },
  { version: "7.1", path: `${CHROOTS}/trixie/bin/ffmpeg` },
  { version: "9.0", path: `${CHROOTS}/sid/bin/ffmpeg` },
].filter((f) => {
  if (f.path === "ffmpeg") return true;
  try {
    return Deno.statSync(f.path).isFile;
  } catch {
    return false;
  }
});

interface Logged {
  endMs: number;
  startMs: number;
  status: number;
  agent: string;
  uri: string;
}

function parse(line: string): Logged | null {
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+) "([^"]*)" (\S+)$/.exec(line);
  if (!m) return null;
  const endMs = Number(m[1]) * 1000;
  return { endMs, startMs: endMs - Number(m[2]) * 1000, status: +m[3], agent: m[4], uri: m[5] };
}

for (const ffmpeg of FFMPEGS) {
  Deno.test(`startup on FFmpeg ${ffmpeg.version}: held 0, 1 and 3 s, against nginx's $msec`, async () => {
    const faults = [1000, 3000].map((hold) => {
      const ids = HOLD_MS.flatMap((h, id) => (h === hold ? [id] : []));
      return parseFault(`startup:hold=${hold}ms:clients=${ids.join(",")}`);
    });
    const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, faults });
    const dir = await Deno.makeTempDir({ prefix: "hls-swarm-startup-" });
    const nginx = await startNginx(dir, undefined, {
      http: `log_format times '$msec $request_time $status "$http_user_agent" $uri';`,
      server: `location / {
        proxy_pass ${new URL(origin.url).origin};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        access_log ${dir}/times.log times;
      }`,
    });
    try {
      const agent = uniqueAgent("startup");
      const run = await runSwarm([
        `--clients=${HOLD_MS.length}`,
        `--ramp-rate=${HOLD_MS.length}`,
        "--duration=12s",
        "--metrics=off",
        "--log-format=json",
        "--tui=false",
        `--ffmpeg=${ffmpeg.path}`,
        `--user-agent=${agent}`,
        nginx.url("/stream.m3u8"),
      ]);
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      const log = (await Deno.readTextFile(`${dir}/times.log`)).split("\n").map(parse);
      const rows: string[] = [];
      const failed: string[] = [];
      HOLD_MS.forEach((hold, id) => {
        const mine = log.filter((l) => l?.agent === `${agent}/client-${id}`) as Logged[];
        const first = mine.find((l) => l.uri.endsWith(".m3u8"))!;
        const segment = mine.find((l) => l.uri.endsWith(".ts") && l.status < 300)!;
        const truth = segment.endMs - first.startMs;
        const sessions = run.logs.filter((l) => l.msg === "session_ended" && l.client_id === id);
        assertEquals(sessions.length, 1, `client ${id}: one session`);
        const measured = sessions[0].startup_ms as number;
        const off = measured - truth, bound = Math.max(0.05 * truth, 50);
        rows.push(
          `FFmpeg ${ffmpeg.version} client ${id} (held ${hold} ms): startup ${measured} ms, ` +
            `nginx ${truth.toFixed(0)} ms, ${off >= 0 ? "+" : ""}${off.toFixed(0)} ms ` +
            `(bound ±${bound.toFixed(0)})`,
        );
        if (truth < hold) failed.push(`client ${id}: the hold is not in nginx's times`);
        if (Math.abs(off) > bound) failed.push(rows.at(-1)!);
      });
      console.log(rows.join("\n"));
      assert(failed.length === 0, failed.join("\n"));
    } finally {
      await nginx.stop();
      await origin.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
}
