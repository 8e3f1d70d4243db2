/**
 * IPv4 and IPv6 addresses and CIDR prefixes as numbers (bigint), for scan targets: parsing in
 * the strict textual forms, canonical text, containment, overlap and aggregation.
 *
 * Strict on purpose, because a scan target names what may be probed: IPv4 only as four decimal
 * parts without leading zeros (`010.1.1.1` is octal to some tools and decimal to others), IPv6
 * without zone ids (`fe80::1%eth0` names an interface on the scanner's machine), a prefix without
 * host bits set (`10.1.2.3/16` is refused with the network it probably means).
 */

export type IpVersion = 4 | 6;

export interface IpPrefix {
  version: IpVersion;
  /** The network address, host bits zero. */
  network: bigint;
  /** Prefix length: 0-32 for IPv4, 0-128 for IPv6. A single address has the full length. */
  length: number;
}

export const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

const DECIMAL_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEXTET = /^[0-9A-Fa-f]{1,4}$/;

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  if (text.length > 45) return undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  let body = text;
  let tail: bigint[] = [];
  // An embedded IPv4 address fills the last 32 bits (`::ffff:192.0.2.1`).
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (![...head, ...rest].every((g) => HEXTET.test(g))) return undefined;
  const given = head.length + rest.length + tail.length;
  // `::` stands for one or more zero groups (RFC 4291).
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const zeros = 8 - given;
  const groups = [...head.map((g) => BigInt(`0x${g}`)), ...Array<bigint>(halves.length === 2 ? zeros : 0).fill(0n), ...rest.map((g) => BigInt(`0x${g}`)), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An address in either version, or undefined. */
export function parseIp(text: string): { version: IpVersion; value: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Canonical text: dotted decimal; IPv6 in RFC 5952's form (lower case, the longest run of two or more zero groups as `::`). */
export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatPrefix(p: IpPrefix): string {
  return `${formatIp(p.version, p.network)}/${p.length}`;
}

function hostMask(version: IpVersion, length: number): bigint {
  return (1n << BigInt(BITS[version] - length)) - 1n;
}

/** A single address as a prefix of full length. */
export function addressPrefix(version: IpVersion, value: bigint): IpPrefix {
  return { version, network: value, length: BITS[version] };
}

/** `network/length` parsed strictly, or why not. */
export function parseCidr(text: string): IpPrefix | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'must be a network in CIDR notation (address/length)';
  const addr = parseIp(text.slice(0, slash));
  if (!addr) return `has no valid IPv4 or IPv6 address before the "/"`;
  const lenText = text.slice(slash + 1);
  const bits = BITS[addr.version];
  if (!/^(?:0|[1-9]\d{0,2})$/.test(lenText) || Number(lenText) > bits) return `must have a prefix length from 0 to ${bits}`;
  const length = Number(lenText);
  const host = addr.value & hostMask(addr.version, length);
  if (host !== 0n) {
    const network = addr.value & ~hostMask(addr.version, length);
    return `has host bits set after /${length}: the network is ${formatIp(addr.version, network)}/${length}`;
  }
  return { version: addr.version, network: addr.value, length };
}

/** The addresses in `p`, first and last. */
export function rangeOf(p: IpPrefix): [bigint, bigint] {
  return [p.network, p.network | hostMask(p.version, p.length)];
}

export function prefixContains(outer: IpPrefix, inner: IpPrefix): boolean {
  if (outer.version !== inner.version || outer.length > inner.length) return false;
  const mask = ~hostMask(outer.version, outer.length);
  return (inner.network & mask) === outer.network;
}

export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  return prefixContains(a, b) || prefixContains(b, a);
}

export function addressCount(p: IpPrefix): bigint {
  return 1n << BigInt(BITS[p.version] - p.length);
}

function comparePrefixes(a: IpPrefix, b: IpPrefix): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}

/**
 * The fewest prefixes covering exactly the union of `prefixes`: contained ones dropped, sibling
 * halves joined (`10.0.0.0/25` + `10.0.0.128/25` = `10.0.0.0/24`). Sorted: IPv4 first, by address.
 */
export function aggregatePrefixes(prefixes: readonly IpPrefix[]): IpPrefix[] {
  const sorted = [...prefixes].sort(comparePrefixes);
  const stack: IpPrefix[] = [];
  for (const p of sorted) {
    const top = stack.at(-1);
    if (top && prefixContains(top, p)) continue;
    stack.push(p);
    // Join the last two while they are the two halves of one prefix.
    for (;;) {
      const b = stack.at(-1)!, a = stack.at(-2);
      if (!a || a.version !== b.version || a.length !== b.length || a.length === 0) break;
      const parentLength = a.length - 1;
      const parentNetwork = a.network & ~hostMask(a.version, parentLength);
      if (parentNetwork !== a.network || b.network !== (a.network | (1n << BigInt(BITS[a.version] - a.length)))) break;
      stack.splice(-2, 2, { version: a.version, network: parentNetwork, length: parentLength });
    }
  }
  return stack;
}

/**
 * Address space a scan must never target, from IANA's special-purpose registries: none of it is a
 * globally reachable address an operator could own, and a scanner aimed at it probes its own
 * network (or someone else's behind the same private numbers). For IPv6 everything outside
 * global unicast (2000::/3) is refused as well, and the ranges that embed IPv4 addresses (IPv4-
 * mapped, NAT64, 6to4, Teredo) because they would reach IPv4 hosts past the IPv4 rules.
 */
const SPECIAL_PURPOSE: [string, string][] = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private-use (RFC 1918)'],
  ['100.64.0.0/10', 'shared address space (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private-use (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private-use (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['2001::/23', 'IETF protocol assignments (Teredo among them)'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4 (embeds IPv4 addresses)'],
  ['3fff::/20', 'documentation'],
];
const SPECIAL: { prefix: IpPrefix; name: string }[] = SPECIAL_PURPOSE.map(([cidr, name]) => ({ prefix: parseCidr(cidr) as IpPrefix, name }));
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3') as IpPrefix;

/** Why `p` may not be scanned, or undefined when it is public address space. */
export function specialPurposeOf(p: IpPrefix): string | undefined {
  if (p.version === 6 && !prefixContains(GLOBAL_UNICAST_V6, p)) {
    return prefixesOverlap(GLOBAL_UNICAST_V6, p) ? 'reaches beyond IPv6 global unicast space (2000::/3)' : 'is not IPv6 global unicast space (2000::/3): loopback, link-local, unique-local, multicast, IPv4-mapped or unassigned';
  }
  const hit = SPECIAL.find((s) => prefixesOverlap(s.prefix, p));
  return hit ? `overlaps ${formatPrefix(hit.prefix)}, ${hit.name}` : undefined;
}
