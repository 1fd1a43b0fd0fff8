/**
 * A small LAN of network namespaces for integration tests: one bridge in the root namespace
 * (with an address, so the root namespace reaches every host) and one namespace per host,
 * each joined to the bridge by a veth pair. Processes run in a host's namespace with
 * `ip netns exec`; they share the file system with the root namespace, only the network is
 * separate. Needs root and iproute2.
 *
 * @example Not run: it creates network namespaces (root)
 * ```ts ignore
 * const reason = await netnsSkipReason();
 * if (reason === null) {
 *   const lan = await createLan([{ name: "origin", host: 1 }, { name: "shard0", host: 11 }]);
 *   try {
 *     lan.addr("origin"); // "198.18.0.1", or 198.18.N.1 when 198.18.0.0/24 is taken
 *   } finally {
 *     await lan.close();
 *   }
 * }
 * ```
 * @module
 */

/** Runs `ip …` and returns its stdout; throws with its stderr when it fails. */
export async function ip(args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(`ip ${args.join(" ")}: exit ${out.code}: ${d.decode(out.stderr).trim()}`);
  }
  return d.decode(out.stdout);
}

/**
 * Why namespace tests cannot run here, or null when they can: not root, no `ip`, or creating
 * a namespace fails (e.g. in an unprivileged container). Creates and deletes a probe namespace.
 */
export async function netnsSkipReason(): Promise<string | null> {
  if (Deno.build.os !== "linux") return `network namespaces need Linux (this is ${Deno.build.os})`;
  if (Deno.uid() !== 0) return `network namespaces need root (uid is ${Deno.uid()})`;
  const probe = `hls-probe-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await ip(["netns", "add", probe]);
  } catch (e) {
    return `\`ip netns\` is unavailable: ${(e as Error).message}`;
  }
  await ip(["netns", "del", probe]).catch(() => {});
  return null;
}

/** One host of the LAN: a namespace and its address on the bridge. */
export interface LanHost {
  /** Short name, unique in the LAN (e.g. "origin", "shard0"). */
  name: string;
  /** Last octet of its address (1..253). */
  host: number;
}

/** A running LAN; `close()` removes every namespace, veth and the bridge. */
export interface Lan {
  /** The /24 in use, e.g. "198.18.0". */
  prefix: string;
  /** The bridge's address in the root namespace (`<prefix>.254`). */
  gateway: string;
  bridge: string;
  /** Namespace name of a host. */
  ns(name: string): string;
  /** IPv4 address of a host. */
  addr(name: string): string;
  /** argv prefix that runs a command in a host's namespace: `["netns", "exec", ns]` for `ip`. */
  execArgs(name: string, command: string[]): string[];
  /** Removes everything; reports what could not be removed (empty when all went). */
  close(): Promise<string[]>;
}

/** The 198.18.N.0/24 (benchmarking range) that no address or route of the root namespace uses. */
async function freePrefixes(): Promise<string[]> {
  const used = (await ip(["-4", "addr", "show"])) + (await ip(["-4", "route", "show"]));
  return Array.from({ length: 256 }, (_, n) => `198.18.${n}`).filter((p) =>
    !used.includes(`${p}.`)
  );
}

/**
 * Creates `bridge` with `<prefix>.254/24` on a /24 nobody else uses: 198.18.0.0/24 when it is
 * free, else a random free one. Another LAN created at the same moment may pick the same /24,
 * so the choice is checked after the address is added, and made again if it is shared.
 */
async function addBridge(bridge: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const free = await freePrefixes();
    if (free.length === 0) throw new Error("no free /24 in 198.18.0.0/16");
    const prefix = attempt === 0 && free[0] === "198.18.0"
      ? free[0]
      : free[Math.floor(Math.random() * free.length)];
    await ip(["link", "add", bridge, "type", "bridge"]);
    let holders: string[];
    try {
      await ip(["addr", "add", `${prefix}.254/24`, "dev", bridge]);
      holders = (await ip(["-4", "-o", "addr", "show"])).split("\n")
        .filter((l) => l.includes(` ${prefix}.`));
    } catch (e) {
      await ip(["link", "del", bridge]).catch(() => {});
      throw e;
    }
    if (holders.length === 1) return prefix;
    await ip(["link", "del", bridge]);
    await new Promise((r) => setTimeout(r, Math.random() * 200));
  }
  throw new Error("could not find a /24 in 198.18.0.0/16 that stays free");
}

/**
 * Creates the bridge and one namespace per host. Every name carries a random tag, so
 * concurrent LANs never collide. On failure, whatever was created is removed again.
 */
export async function createLan(hosts: LanHost[]): Promise<Lan> {
  const tag = crypto.randomUUID().slice(0, 4);
  const bridge = `hlsbr-${tag}`;
  const nsName = (h: string) => `hls-${tag}-${h}`;
  // Interface names are at most 15 characters: "hlsv" + 4 + index.
  const vethName = (i: number) => `hlsv${tag}-${i}`;
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const created = { bridge: false, namespaces: [] as string[], veths: [] as string[] };

  const close = async (): Promise<string[]> => {
    const problems: string[] = [];
    // Deleting a namespace destroys its veth end, and with it the peer on the bridge.
    for (const ns of created.namespaces.splice(0)) {
      await ip(["netns", "del", ns]).catch((e) => problems.push(e.message));
    }
    for (const veth of created.veths.splice(0)) {
      const left = await ip(["link", "show", veth]).then(() => true, () => false);
      if (left) await ip(["link", "del", veth]).catch((e) => problems.push(e.message));
    }
    if (created.bridge) {
      created.bridge = false;
      await ip(["link", "del", bridge]).catch((e) => problems.push(e.message));
    }
    return problems;
  };

  const prefix = await addBridge(bridge);
  created.bridge = true;
  try {
    await ip(["link", "set", bridge, "up"]);
    for (const [i, h] of hosts.entries()) {
      const ns = nsName(h.name);
      await ip(["netns", "add", ns]);
      created.namespaces.push(ns);
      const veth = vethName(i);
      await ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      created.veths.push(veth);
      await ip(["link", "set", veth, "master", bridge, "up"]);
      const inside = (args: string[]) => ip(["-n", ns, ...args]);
      await inside(["link", "set", "lo", "up"]);
      await inside(["addr", "add", `${prefix}.${h.host}/24`, "dev", "eth0"]);
      await inside(["link", "set", "eth0", "up"]);
    }
  } catch (e) {
    await close();
    throw e;
  }

  const host = (name: string) => {
    const h = byName.get(name);
    if (!h) throw new Error(`no host ${name} in the LAN`);
    return h;
  };
  return {
    prefix,
    gateway: `${prefix}.254`,
    bridge,
    ns: (name) => nsName(host(name).name),
    addr: (name) => `${prefix}.${host(name).host}`,
    execArgs: (name, command) => ["netns", "exec", nsName(host(name).name), ...command],
    close,
  };
}

/** Waits until `url` answers (any status), polling every 100 ms. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return;
    } catch (e) {
      last = (e as Error).message;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${last}`);
}
