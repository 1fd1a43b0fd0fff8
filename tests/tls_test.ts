/**
 * TLS is verified by default, for clients and preflight alike: against nginx with a
 * certificate from a private CA, a run without the CA fails clearly, with --ca-file it runs, and
 * with --dangerous it runs and says verification was off.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { freePort, runSwarm, startNginx, uniqueAgent } from "./helpers.ts";
import { makeCertificates } from "./certificates.ts";

Deno.test("TLS: verified by default; --ca-file trusts a private CA; --dangerous turns it off", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-tls-" });
  const { ca, cert, key } = await makeCertificates(dir, "IP:127.0.0.1");
  const tlsPort = freePort();
  const nginx = await startNginx(origin.dir, undefined, {
    server: `listen 127.0.0.1:${tlsPort} ssl; ssl_certificate ${cert}; ssl_certificate_key ${key};`,
  });
  const url = `https://127.0.0.1:${tlsPort}/stream.m3u8`;
  const swarm = (...args: string[]) =>
    runSwarm([
      "--clients=2",
      "--ramp-rate=4",
      "--duration=8s",
      "--metrics=off",
      `--user-agent=${uniqueAgent("tls")}`,
      ...args,
      url,
    ]);
  try {
    await t.step("without the CA, preflight refuses the certificate", async () => {
      const run = await swarm();
      assertEquals(run.code, 1, run.stderr.slice(-1500));
      assertStringIncludes(run.stderr, `preflight failed: stream (GET ${url} failed`);
      assert(/certificate/i.test(run.stderr), run.stderr.slice(-1500));
    });

    await t.step("without the CA and without preflight, the clients refuse it too", async () => {
      const run = await swarm("--skip-preflight");
      assertEquals(run.code, 1, run.stderr.slice(-1500));
      assertStringIncludes(run.stderr, "run failed: no client received any media");
      const exited = run.logs.filter((l) => l.msg === "client_exited");
      assert(exited.length >= 2, "the clients exited");
      assert(/certificate|verif|TLS/i.test(JSON.stringify(exited)), JSON.stringify(exited[0]));
    });

    await t.step("with --ca-file, clients and preflight verify against it and run", async () => {
      const json = `${dir}/ca.json`;
      const run = await swarm(`--ca-file=${ca}`, `--summary-json=${json}`);
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
      assertEquals(s.clients.receivedMedia, 2);
      assert(s.run.ffmpegArgv.includes("-tls_verify") && s.run.ffmpegArgv.includes("1"));
      assertStringIncludes(s.run.tls, `and ${ca}`);
      assertStringIncludes(run.stdout, "TLS:");
    });

    await t.step("with --dangerous (or --insecure) it runs, and the summary says so", async () => {
      for (const flag of ["--dangerous", "--insecure"]) {
        const run = await swarm(flag);
        assertEquals(run.code, 0, run.stderr.slice(-1500));
        assertStringIncludes(run.stdout, "TLS:                    OFF (--dangerous)");
        assert(
          run.logs.some((l) => l.msg === "preflight_warning"),
          "preflight says it did not check",
        );
      }
    });

    await t.step("a --ca-file that is not a certificate is a usage error", async () => {
      const run = await swarm(`--ca-file=${dir}/server.csr`);
      assertEquals(run.code, 2);
      assertStringIncludes(run.stderr, "holds no PEM certificate");
    });
  } finally {
    await nginx.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
