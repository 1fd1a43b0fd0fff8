import { assert, assertEquals } from "../testing/assert.ts";
import { encodeReply, hasBody, parseRequestHead, readHead, wantsKeepAlive } from "./http1.ts";

const enc = new TextEncoder();

/** A reader that hands out `parts` one read at a time. */
function reader(...parts: string[]) {
  return {
    read(p: Uint8Array) {
      const part = parts.shift();
      if (part === undefined) return Promise.resolve(null);
      const bytes = enc.encode(part);
      p.set(bytes);
      return Promise.resolve(bytes.length);
    },
  };
}

Deno.test("readHead joins reads, keeps what follows, skips leading empty lines", async () => {
  const read = await readHead(
    reader("\r\nGET /metrics HT", "TP/1.1\r\nHost: x\r\n\r\nGET /"),
    new Uint8Array(0),
    1024,
  );
  assert("head" in read);
  assertEquals(read.head, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  assertEquals(new TextDecoder().decode(read.rest), "GET /");
  assertEquals(await readHead(reader("GET / HTTP/1.1\r\n"), new Uint8Array(0), 1024), {
    end: "eof",
  });
  assertEquals(await readHead(reader("GET /" + "a".repeat(2000)), new Uint8Array(0), 1024), {
    end: "too-large",
  });
});

Deno.test("parseRequestHead: fields, paths, and what it refuses", () => {
  const req = parseRequestHead(
    "GET http://h/metrics?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2 \r\n\r\n",
  );
  assert(typeof req !== "string");
  assertEquals([req.method, req.path, req.version], ["GET", "/metrics", "HTTP/1.1"]);
  assertEquals(req.headers.get("x-a"), "1, 2");
  assert(wantsKeepAlive(req) && !hasBody(req));
  const old = parseRequestHead("GET / HTTP/1.0\n\n");
  assert(typeof old !== "string" && !wantsKeepAlive(old));
  const close = parseRequestHead("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n");
  assert(typeof close !== "string" && !wantsKeepAlive(close));
  const body = parseRequestHead("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  assert(typeof body !== "string" && hasBody(body));
  assertEquals(parseRequestHead("GET / HTTP/2.0\r\n\r\n"), "malformed request line");
  assertEquals(parseRequestHead("GET  / HTTP/1.1\r\n\r\n"), "malformed request line");
  assertEquals(
    parseRequestHead("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"),
    "malformed header field",
  );
  assertEquals(parseRequestHead("GET / HTTP/1.1\r\nBad Name: a\r\n\r\n"), "malformed header field");
});

Deno.test("encodeReply: status line, length, connection; HEAD has no body", () => {
  const full = new TextDecoder().decode(
    encodeReply({ status: 404, body: "nö\n" }, { keepAlive: false, headOnly: false }),
  );
  assertEquals(
    full,
    "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 4\r\n" +
      "connection: close\r\n\r\nnö\n",
  );
  const head = new TextDecoder().decode(
    encodeReply({ status: 200, body: "ok\n" }, { keepAlive: true, headOnly: true }),
  );
  assert(head.endsWith("content-length: 3\r\nconnection: keep-alive\r\n\r\n"), head);
});
