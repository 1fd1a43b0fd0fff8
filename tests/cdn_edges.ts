/**
 * A CDN to test against, here: nginx as a caching reverse proxy ("an edge") in front of an
 * origin, on its own loopback address. Each edge adds `X-Cache: $upstream_cache_status` and
 * `X-Served-By: <name>`, and writes its access log twice: in hls-swarm's documented nginx
 * format, and in CloudFront's standard-log field layout (tab-separated, `#Fields:` header),
 * written by nginx's own `log_format`. A file `<dir>/block` makes the edge close the
 * connection without an answer (nginx's 444) on the segments of `--block-agent`'s viewer.
 * @module
 */
import { NGINX_LOG_FORMAT } from "../src/reconcile/nginx.ts";
import { makeCertificates } from "./certificates.ts";
import { freePort, startNginx } from "./helpers.ts";

/** One running edge. */
export interface Edge {
  name: string;
  url(path: string): string;
  dir: string;
  /** The access log in the `hls_swarm` nginx format. */
  nginxLog: string;
  /** The access log in CloudFront's layout. */
  cloudfrontLog: string;
  /** While this file exists, the blocked agent's segments get 444. */
  blockFile: string;
  stop(): Promise<void>;
}

/** The CloudFront fields this edge writes (the first 19 of the standard layout). */
export const EDGE_CLOUDFRONT_FIELDS =
  "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
  "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id " +
  "x-host-header cs-protocol cs-bytes time-taken";

function edgeConf(
  name: string,
  dir: string,
  listen: string,
  origin: string,
  blockAgent: string,
): string {
  // nginx writes $time_iso8601 in local time: the edge runs with TZ=UTC, as CloudFront logs.
  const cf = [
    "$cf_date",
    "$cf_time",
    name,
    "$bytes_sent",
    "$remote_addr",
    "$request_method",
    "$host",
    "$uri",
    "$status",
    "-",
    "$http_user_agent",
    "-",
    "-",
    "$cf_result",
    "$request_id",
    "$host",
    "http",
    "$request_length",
    "$request_time",
  ].join("\\t");
  return `${Deno.uid() === 0 ? "user root;" : ""}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=edge:10m max_size=200m inactive=5m use_temp_path=off;
  ${NGINX_LOG_FORMAT}
  map $time_iso8601 $cf_date { "~^(?<d>[0-9-]+)T" $d; }
  map $time_iso8601 $cf_time { "~T(?<t>[0-9:]+)" $t; }
  map $upstream_cache_status $cf_result { HIT Hit; MISS Miss; EXPIRED RefreshHit; STALE RefreshHit; default Error; }
  map $http_user_agent $blocked_agent { "~${blockAgent}$" 1; default 0; }
  log_format cloudfront escape=none '${cf}';
  access_log ${dir}/access.log hls_swarm;
  access_log ${dir}/cloudfront.log cloudfront;
  access_log ${dir}/combined.log combined;
  server {
    listen ${listen};
    set $block $blocked_agent;
    if (!-f ${dir}/block) { set $block 0; }
    if ($uri !~ "\\.ts$") { set $block 0; }
    if ($block = 1) { return 444; }
    location / {
      proxy_pass ${origin};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      proxy_cache_lock on;
      proxy_cache_valid 200 1s;
      add_header X-Cache $upstream_cache_status;
      add_header X-Served-By ${name};
    }
    location ~ \\.ts$ {
      proxy_pass ${origin};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      proxy_cache_lock on;
      proxy_cache_valid 200 60s;
      add_header X-Cache $upstream_cache_status;
      add_header X-Served-By ${name};
    }
  }
}
`;
}

/**
 * Starts an edge named `name` on `ip:port` in front of `origin` (`http://host:port`).
 *
 * @example Not run: it starts nginx as a CDN edge in front of an origin
 * ```ts ignore
 * const a = await startEdge("edge-a", "127.0.0.2", port, "http://127.0.0.1:17080", "client-3");
 * await fetch(a.url("/stream.m3u8"));
 * await a.stop();
 * ```
 */
export async function startEdge(
  name: string,
  ip: string,
  port: number,
  origin: string,
  blockAgent: string,
): Promise<Edge> {
  const dir = await Deno.makeTempDir({ prefix: `hls-swarm-${name}-` });
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(conf, edgeConf(name, dir, `${ip}:${port}`, origin, blockAgent));
  await Deno.writeTextFile(
    `${dir}/cloudfront.log`,
    `#Version: 1.0\n#Fields: ${EDGE_CLOUDFRONT_FIELDS}\n`,
  );
  const child = new Deno.Command("nginx", {
    args: ["-c", conf, "-p", dir],
    env: { TZ: "UTC" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const edge: Edge = {
    name,
    dir,
    url: (path) => `http://${ip}:${port}${path}`,
    nginxLog: `${dir}/access.log`,
    cloudfrontLog: `${dir}/cloudfront.log`,
    blockFile: `${dir}/block`,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.output();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(edge.url("/nginx-ready-probe"));
      await res.body?.cancel();
      // The probe's line is not a viewer's: reconcile counts it as other traffic.
      return edge;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await edge.stop().catch(() => {});
  throw new Error(
    `nginx edge ${name} did not start: ${await Deno.readTextFile(`${dir}/error.log`).catch(() =>
      ""
    )}`,
  );
}

/**
 * An https nginx edge on `address` (a free port) before the origin served from `originDir`, with
 * a certificate for `host` signed by a fresh CA made in `dir` (`ca`: for --ca-file).
 */
export async function startTlsEdge(originDir: string, dir: string, host: string, address: string) {
  const port = freePort();
  const certs = await makeCertificates(dir, `DNS:${host}`);
  const nginx = await startNginx(originDir, undefined, {
    server: `listen ${address}:${port} ssl; ssl_certificate ${certs.cert}; ` +
      `ssl_certificate_key ${certs.key};`,
  });
  return { nginx, port, ca: certs.ca };
}
