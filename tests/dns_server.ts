/**
 * A tiny authoritative DNS server over UDP for tests, answering like a GSLB that rotates: each
 * A query for a known name gets all its addresses, rotated by one per query (query 0: a, b;
 * query 1: b, a; …), so viewers that look up one after another are sent to different edges. It
 * counts every query and keeps what each one got, so a test can compare the edges' logs with
 * the answers. Unknown names get NXDOMAIN; AAAA (or any other type) of a known name gets an
 * empty answer.
 *
 * Written on node:dgram: Deno's own UDP sockets are still unstable (they need --unstable-net).
 * @module
 */
import dgram from "node:dgram";

/** One query the server answered. */
export interface DnsQuery {
  name: string;
  /** "A", "AAAA" or the type's number. */
  type: string;
  /** The addresses answered, in order (empty: none). */
  answers: string[];
}

/** A running server. */
export interface DnsServer {
  port: number;
  /** Every query so far, in arrival order. */
  queries: DnsQuery[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: "A", 28: "AAAA" };

/** Reads the question's name and type; null for a packet that is not one query. */
function question(msg: Uint8Array): { name: string; type: number; end: number } | null {
  if (msg.length < 12 || (msg[4] << 8 | msg[5]) !== 1) return null;
  const labels: string[] = [];
  let at = 12;
  while (at < msg.length && msg[at] !== 0) {
    const n = msg[at];
    if (n > 63 || at + 1 + n > msg.length) return null;
    labels.push(new TextDecoder().decode(msg.subarray(at + 1, at + 1 + n)));
    at += 1 + n;
  }
  if (at + 5 > msg.length) return null;
  return {
    name: labels.join(".").toLowerCase(),
    type: msg[at + 1] << 8 | msg[at + 2],
    end: at + 5,
  };
}

/** The answer to `msg`: its id and question, and A records for `addresses`. */
function answer(msg: Uint8Array, end: number, rcode: number, addresses: string[]): Uint8Array {
  const out = [
    msg[0],
    msg[1],
    // QR, AA, the query's RD; RA; rcode.
    0x84 | (msg[2] & 0x01),
    0x80 | rcode,
    0,
    1,
    0,
    addresses.length,
    0,
    0,
    0,
    0,
    ...msg.subarray(12, end),
  ];
  for (const ip of addresses) {
    // The name as a pointer to the question's (offset 12), type A, class IN, TTL 0, 4 bytes.
    out.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, ...ip.split(".").map(Number));
  }
  return new Uint8Array(out);
}

/**
 * Starts the server on 127.0.0.1 (a free port) with `records`: name → IPv4 addresses.
 *
 * @example Not run: it binds a UDP port
 * ```ts ignore
 * const dns = await startDnsServer({ "cdn.example": ["127.0.0.2", "127.0.0.3"] });
 * await Deno.resolveDns("cdn.example", "A", { nameServer: { ipAddr: "127.0.0.1", port: dns.port } });
 * // ["127.0.0.2", "127.0.0.3"]; the next query: ["127.0.0.3", "127.0.0.2"]
 * await dns.close();
 * ```
 */
export function startDnsServer(records: Record<string, string[]>): Promise<DnsServer> {
  const socket = dgram.createSocket("udp4");
  const queries: DnsQuery[] = [];
  const served = new Map<string, number>();
  socket.on("message", (msg: Uint8Array, from: { address: string; port: number }) => {
    const q = question(msg);
    if (!q) return;
    const known = records[q.name];
    let answers: string[] = [];
    if (known && q.type === 1) {
      // Rotate by one per A query of this name, as a round-robin GSLB does.
      const k = served.get(q.name) ?? 0;
      served.set(q.name, k + 1);
      answers = known.map((_, i) => known[(i + k) % known.length]);
    }
    queries.push({ name: q.name, type: TYPES[q.type] ?? String(q.type), answers });
    socket.send(answer(msg, q.end, known ? 0 : 3, answers), from.port, from.address);
  });
  return new Promise((resolve) => {
    socket.bind(0, "127.0.0.1", () => {
      resolve({
        port: socket.address().port,
        queries,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
