import { assertEquals } from "../testing/assert.ts";
import {
  checkEphemeralPorts,
  checkFfmpeg,
  checkFileDescriptors,
  checkProcesses,
  parseLimit,
} from "./checks.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             512                  unlimited            processes
Max open files            1024                 4096                 files
`;

const CAPS = {
  path: "ffmpeg",
  version: "5.1.9",
  datetimeLogFlag: false,
  segMaxRetry: false,
  reconnectOnNetworkError: true,
  inputProtocols: ["http", "tcp"],
};

Deno.test("parseLimit reads soft and hard values", () => {
  assertEquals(parseLimit(LIMITS, "Max open files"), { soft: 1024, hard: 4096 });
  assertEquals(parseLimit(LIMITS, "Max processes"), { soft: 512, hard: Infinity });
});

Deno.test("file descriptors: the hard limit must cover 3 per client plus margin", () => {
  assertEquals(checkFileDescriptors(LIMITS, 1000).status, "ok");
  const fail = checkFileDescriptors(LIMITS, 2000);
  assertEquals(fail.status, "fail");
  assertEquals(fail.fix, "raise the hard limit: ulimit -Hn 6100 (systemd: LimitNOFILE=6100)");
});

Deno.test("process limit and ephemeral ports", () => {
  assertEquals(checkProcesses(LIMITS, 400).status, "ok");
  assertEquals(checkProcesses(LIMITS, 500).status, "fail");
  assertEquals(checkEphemeralPorts("32768\t60999\n", 1000).status, "ok");
  assertEquals(checkEphemeralPorts("60000 60999", 1000).status, "warn");
});

Deno.test("an https URL on an FFmpeg without https is refused", () => {
  assertEquals(checkFfmpeg(CAPS, "http://a/x.m3u8").status, "ok");
  const r = checkFfmpeg(CAPS, "https://a/x.m3u8");
  assertEquals([r.status, r.detail], ["fail", 'FFmpeg 5.1.9 has no "https" input protocol']);
});
