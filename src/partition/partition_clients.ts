/**
 * What a partition's clients run and which groups they belong to, in one place for the
 * main-thread partition and each worker's: with `--resolve-dns` both depend on the viewers' own
 * lookups, which each partition makes for its viewers (src/client/dns_pins.ts).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import type { Logger } from "../log/logger.ts";
import { type DnsLookup, dnsLookup } from "../net/dns.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import type { TlsSetup } from "../process/tls.ts";
import { type ClientGroups, clientGroupsOption, MAX_GROUPS } from "../stats/groups.ts";
import { clientCommand } from "../process/ffmpeg_args.ts";
import { DnsPins } from "../client/dns_pins.ts";

/** The group of the addresses past the first MAX_GROUPS - 1 a partition's lookups answered. */
export const OTHER_ADDRESSES = "other";

/** A client's FFmpeg command. */
export type Command = { command: string; args: string[] };

/** A partition's clients' commands and groups. */
export interface PartitionClients {
  /** Client `id`'s command for its next start; with --resolve-dns after its lookup. */
  command(id: number, signal: AbortSignal): Command | Promise<Command>;
  /** The groups of a client id, for the figures by rendition and edge address. */
  groupsOf?: (id: number) => ClientGroups;
}

/**
 * The commands and groups of one partition's clients. With `--resolve-dns` a client's first start
 * looks the host up (`lookup`, the real DNS by default) and every later one reuses the
 * answer; its edge address is pending until then.
 *
 * @example Not run: it needs a config, FFmpeg's capabilities and TLS
 * ```ts ignore
 * const clients = partitionClients(config, caps, { kind: "all" }, tls, log);
 * const { command, args } = await clients.command(0, signal);
 * ```
 */
export function partitionClients(
  config: SwarmConfig,
  caps: FfmpegCapabilities,
  mapping: StreamMapping,
  tls: TlsSetup,
  log: Logger,
  lookup?: DnsLookup,
): PartitionClients {
  const dns = config.resolveDns;
  if (!dns) {
    return {
      command: (id) => clientCommand(config, caps, mapping, tls, id),
      ...clientGroupsOption(config, mapping),
    };
  }
  const pins = new DnsPins(dns, lookup ?? dnsLookup(dns.server));
  const rendition = clientGroupsOption(config, mapping).groupsOf;
  // The DNS, not the flags, names the addresses: past MAX_GROUPS - 1 of them in this partition, the
  // rest count as one group, so the figures (and /metrics' labels) stay bounded.
  const named = new Set<string>();
  const labels = new Map<number, string>();
  const labelOf = (id: number, address: string) => {
    let label = labels.get(id);
    if (label !== undefined) return label;
    if (named.has(address) || named.size < MAX_GROUPS - 1) named.add(address);
    label = named.has(address) ? address : OTHER_ADDRESSES;
    labels.set(id, label);
    return label;
  };
  return {
    async command(id, signal) {
      const known = pins.addressOf(id) !== null;
      const pin = await pins.pin(id, signal);
      if (!known) {
        log.info("client_dns_resolved", {
          client_id: id,
          host: dns.host,
          address: pin.addresses[0].ip,
          answers: pins.answersOf(id),
        });
      }
      // The address is used as a one-address --resolve: Host header and -verifyhost kept.
      return clientCommand({ ...config, resolve: pin }, caps, mapping, tls, id);
    },
    groupsOf: (id) => {
      const address = pins.addressOf(id);
      return {
        rendition: rendition?.(id).rendition ?? null,
        address: address && labelOf(id, address),
        ...(address === null ? { pending: true } : {}),
      };
    },
  };
}
