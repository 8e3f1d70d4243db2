/**
 * What an operator asks to have scanned, in one canonical form, and the set operations scan
 * planning needs: overlap, union, and whether a finding's location lies inside.
 *
 * Kinds, as filed (`ScanTargetInput`) and as kept (`ScanTarget`):
 * - `host`: one IP address (IPv4 or IPv6) or one DNS name. A host by name covers that name only,
 *   not the addresses it resolves to: Rampart does not resolve names, so a finding must name the
 *   host as it was requested.
 * - `cidr`: an IPv4 or IPv6 network. At least /16 for IPv4 (65,536 addresses) and /48 for IPv6
 *   (one site): a shorter prefix is overbroad (a /8 is a sixteenth of a continent's allocation).
 *   A full-length prefix is kept as a host.
 * - `domain`: a DNS name with or without its subdomains. Without them it is the host of that name
 *   and is kept as one; with them it covers the name and every name under it.
 * - `repository`: an `https` URL of a source repository (no credentials, query or fragment; a
 *   trailing `/` or `.git` dropped). It covers the files under it, never the host serving it.
 *
 * Never a target: address space that is not globally reachable unicast (addresses.ts), or names
 * no operator can own (names.ts); either could turn a scanner on its own network or on bystanders.
 */
import type { FieldViolation } from '@rampart/errors';
import {
  addressPrefix, aggregatePrefixes, BITS, formatIp, formatPrefix, parseCidr, parseIp, prefixContains, prefixesOverlap, specialPurposeOf, type IpPrefix,
} from './addresses';
import { isAtOrUnder, normalizeDnsName, overbroadDomain } from './names';

export const SCAN_TARGET_KINDS = ['host', 'cidr', 'domain', 'repository'] as const;
export type ScanTargetKind = (typeof SCAN_TARGET_KINDS)[number];

export type ScanTarget =
  | { kind: 'host'; host: string }
  | { kind: 'cidr'; cidr: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'repository'; url: string };

/** A target as filed: anything may be missing or malformed. */
export interface ScanTargetInput {
  kind?: string;
  value?: string;
  /** Domains only: the name and every name under it. */
  includeSubdomains?: boolean;
}

export const TARGET_LIMITS = {
  /** The shortest prefixes accepted: /16 for IPv4, /48 for IPv6. */
  minPrefix: { 4: 16, 6: 48 } as Record<4 | 6, number>,
  valueChars: 2_048,
} as const;

/** A canonical target as the set operations see it. */
export type ResolvedTarget =
  | { kind: 'address'; prefix: IpPrefix }
  | { kind: 'name'; name: string; subdomains: boolean }
  | { kind: 'repository'; origin: string; path: string };

function ipHost(prefix: IpPrefix): ScanTarget {
  return prefix.length === BITS[prefix.version] ? { kind: 'host', host: formatIp(prefix.version, prefix.network) } : { kind: 'cidr', cidr: formatPrefix(prefix) };
}

function checkPrefix(prefix: IpPrefix): string | undefined {
  const min = TARGET_LIMITS.minPrefix[prefix.version];
  if (prefix.length < min) return `is too broad: at most /${min} for IPv${prefix.version} (got /${prefix.length}); file the networks you own one by one`;
  const special = specialPurposeOf(prefix);
  return special ? `${special}: not a globally reachable address an operator can have scanned` : undefined;
}

/** Parses a repository URL to its canonical form, or says why not. */
export function normalizeRepositoryUrl(text: string): { origin: string; path: string } | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'must be an https URL of a repository, e.g. https://github.com/acme/app';
  }
  if (url.protocol !== 'https:') return 'must be an https URL (no other scheme names a repository here)';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  const host = normalizeDnsName(url.hostname);
  if (typeof host === 'string') return `has a host that ${host}`;
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (path === '' || path === '/') return 'must name a repository, not a whole host';
  return { origin: `https://${host.name}${url.port ? `:${url.port}` : ''}`, path };
}

/** Parses one filed target, pushing violations under `field`; undefined when it is refused. */
export function parseScanTarget(out: FieldViolation[], field: string, input: ScanTargetInput | undefined): ScanTarget | undefined {
  const refuse = (description: string) => { out.push({ field: `${field}.value`, description }); return undefined; };
  const kind = input?.kind ?? '';
  if (!(SCAN_TARGET_KINDS as readonly string[]).includes(kind)) {
    out.push({ field: `${field}.kind`, description: `must be one of ${SCAN_TARGET_KINDS.join(', ')}` });
    return undefined;
  }
  const value = (input?.value ?? '').trim();
  if (value === '') return refuse('is required');
  if (value.length > TARGET_LIMITS.valueChars) return refuse(`must be at most ${TARGET_LIMITS.valueChars} characters`);
  if (input?.includeSubdomains && kind !== 'domain') out.push({ field: `${field}.include_subdomains`, description: 'applies to domains only' });

  switch (kind as ScanTargetKind) {
    case 'host': {
      const ip = parseIp(value.replace(/^\[(.*)\]$/, '$1'));
      if (ip) {
        const prefix = addressPrefix(ip.version, ip.value);
        const why = checkPrefix(prefix);
        return why ? refuse(why) : ipHost(prefix);
      }
      if (/[/:@?#\s]/.test(value)) return refuse('must be one IP address or DNS name, without port, path or scheme');
      const name = normalizeDnsName(value);
      return typeof name === 'string' ? refuse(name) : { kind: 'host', host: name.name };
    }
    case 'cidr': {
      const prefix = parseCidr(value);
      if (typeof prefix === 'string') return refuse(prefix);
      const why = checkPrefix(prefix);
      return why ? refuse(why) : ipHost(prefix);
    }
    case 'domain': {
      const name = normalizeDnsName(value.replace(/^\*\./, ''));
      if (typeof name === 'string') return refuse(name);
      if (!input?.includeSubdomains) return { kind: 'host', host: name.name };
      const broad = overbroadDomain(name.name);
      return broad ? refuse(broad) : { kind: 'domain', domain: name.name };
    }
    case 'repository': {
      const repo = normalizeRepositoryUrl(value);
      return typeof repo === 'string' ? refuse(repo) : { kind: 'repository', url: repo.origin + repo.path };
    }
  }
}

/** A canonical target as the set operations see it. Targets come from parseScanTarget, so they parse. */
export function resolveTarget(t: ScanTarget): ResolvedTarget {
  switch (t.kind) {
    case 'host': {
      const ip = parseIp(t.host);
      return ip ? { kind: 'address', prefix: addressPrefix(ip.version, ip.value) } : { kind: 'name', name: t.host, subdomains: false };
    }
    case 'cidr': {
      const prefix = parseCidr(t.cidr);
      if (typeof prefix === 'string') throw new Error(`not a canonical scan target: ${t.cidr}`);
      return { kind: 'address', prefix };
    }
    case 'domain':
      return { kind: 'name', name: t.domain, subdomains: true };
    case 'repository': {
      const repo = normalizeRepositoryUrl(t.url);
      if (typeof repo === 'string') throw new Error(`not a canonical scan target: ${t.url}`);
      return { kind: 'repository', ...repo };
    }
  }
}

function repoCovers(outer: { origin: string; path: string }, origin: string, path: string): boolean {
  return outer.origin === origin && (path === outer.path || path.startsWith(`${outer.path}/`));
}

/** Do `a` and `b` share anything that could be scanned? */
export function resolvedOverlap(a: ResolvedTarget, b: ResolvedTarget): boolean {
  if (a.kind === 'address' && b.kind === 'address') return prefixesOverlap(a.prefix, b.prefix);
  if (a.kind === 'name' && b.kind === 'name') {
    return a.name === b.name || (a.subdomains && isAtOrUnder(b.name, a.name)) || (b.subdomains && isAtOrUnder(a.name, b.name));
  }
  if (a.kind === 'repository' && b.kind === 'repository') return repoCovers(a, b.origin, b.path) || repoCovers(b, a.origin, a.path);
  return false;
}

export function targetsOverlap(a: ScanTarget, b: ScanTarget): boolean {
  return resolvedOverlap(resolveTarget(a), resolveTarget(b));
}

const KIND_ORDER = { address: 0, name: 1, repository: 2 } as const;

function compareResolved(a: ResolvedTarget, b: ResolvedTarget): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === 'address' && b.kind === 'address') {
    if (a.prefix.version !== b.prefix.version) return a.prefix.version - b.prefix.version;
    if (a.prefix.network !== b.prefix.network) return a.prefix.network < b.prefix.network ? -1 : 1;
    return a.prefix.length - b.prefix.length;
  }
  const key = (r: ResolvedTarget) => (r.kind === 'name' ? `${r.name}\u0000${r.subdomains ? 1 : 0}` : r.kind === 'repository' ? r.origin + r.path : '');
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function toTarget(r: ResolvedTarget): ScanTarget {
  switch (r.kind) {
    case 'address': return ipHost(r.prefix);
    case 'name': return r.subdomains ? { kind: 'domain', domain: r.name } : { kind: 'host', host: r.name };
    case 'repository': return { kind: 'repository', url: r.origin + r.path };
  }
}

/**
 * The union of `targets` in canonical form: addresses aggregated into the fewest prefixes, names
 * and repositories covered by another dropped, each once, sorted (addresses, names, repositories).
 * The same set of targets always gives the same list, in whatever order and however often given.
 */
export function unionTargets(targets: readonly ScanTarget[]): ScanTarget[] {
  const resolved = targets.map(resolveTarget);
  const prefixes = aggregatePrefixes(resolved.flatMap((r) => (r.kind === 'address' ? [r.prefix] : [])));
  // A name filed as a host and as a domain with subdomains is the domain.
  const names = new Map<string, boolean>();
  const repos = new Map<string, { origin: string; path: string }>();
  for (const r of resolved) {
    if (r.kind === 'name') names.set(r.name, (names.get(r.name) ?? false) || r.subdomains);
    else if (r.kind === 'repository') repos.set(r.origin + r.path, { origin: r.origin, path: r.path });
  }
  const underAnotherDomain = (name: string) => {
    const labels = name.split('.');
    return labels.slice(1).some((_, i) => names.get(labels.slice(i + 1).join('.')) === true);
  };
  const underAnotherRepo = (origin: string, path: string) => {
    const segments = path.split('/');
    return segments.slice(1, -1).some((_, i) => repos.has(origin + segments.slice(0, i + 2).join('/')));
  };
  const kept: ResolvedTarget[] = [
    ...[...names].filter(([name]) => !underAnotherDomain(name)).map(([name, subdomains]) => ({ kind: 'name', name, subdomains }) as const),
    ...[...repos.values()].filter((r) => !underAnotherRepo(r.origin, r.path)).map((r) => ({ kind: 'repository', ...r }) as const),
  ].sort(compareResolved);
  return [...prefixes.map((prefix) => ({ kind: 'address', prefix }) as const), ...kept].map(toTarget);
}

/** How many IPv4 addresses `targets` name (overlaps counted once). */
export function ipv4AddressCount(targets: readonly ScanTarget[]): bigint {
  return unionTargets(targets).map(resolveTarget).reduce((sum, r) => (r.kind === 'address' && r.prefix.version === 4 ? sum + (1n << BigInt(32 - r.prefix.length)) : sum), 0n);
}

/** Where a finding lies: a host (an address or a name as written) or a file under a repository URL. */
export type FindingLocation = { kind: 'host'; host: string } | { kind: 'repository'; url: string };

/** Does some target cover `location`? Names are compared as written: no DNS resolution. */
export function targetsCover(targets: readonly ScanTarget[], location: FindingLocation): boolean {
  const resolved = targets.map(resolveTarget);
  if (location.kind === 'repository') {
    const repo = normalizeRepositoryUrl(location.url);
    if (typeof repo === 'string') return false;
    return resolved.some((r) => r.kind === 'repository' && repoCovers(r, repo.origin, repo.path));
  }
  const ip = parseIp(location.host.replace(/^\[(.*)\]$/, '$1'));
  if (ip) {
    const p = addressPrefix(ip.version, ip.value);
    return resolved.some((r) => r.kind === 'address' && prefixContains(r.prefix, p));
  }
  const name = normalizeDnsName(location.host);
  if (typeof name === 'string') return false;
  return resolved.some((r) => r.kind === 'name' && (r.subdomains ? isAtOrUnder(name.name, r.name) : r.name === name.name));
}
