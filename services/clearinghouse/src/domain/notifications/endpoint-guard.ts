/**
 * Webhook endpoints are URLs an operator gives and the service calls: a server-side request forgery
 * vector. An endpoint must be HTTPS to a public address; plain HTTP and private, loopback or other
 * non-public addresses only when configured (tests, an air-gapped deployment). A name is checked
 * again at send time on every address it resolves to (`isPublicAddress`), since DNS can rebind
 * between registration and delivery.
 */
import ipaddr from 'ipaddr.js';

export interface EndpointPolicy {
  /** Allow `http:` (never in production). */
  allowHttp: boolean;
  /** Allow loopback, private and other non-public addresses (tests). */
  allowPrivate: boolean;
}

export const STRICT_ENDPOINTS: EndpointPolicy = { allowHttp: false, allowPrivate: false };
export const MAX_ENDPOINT_URL = 2_048;

/** IPv4 ranges that are not the public Internet (ipaddr.js names), plus the cloud metadata address's range. */
const NON_PUBLIC_V4 = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'carrierGradeNat', 'private', 'reserved', 'benchmarking', 'as112', 'amt']);
const NON_PUBLIC_V6 = new Set(['unspecified', 'linkLocal', 'multicast', 'loopback', 'uniqueLocal', 'reserved', 'benchmarking', 'discard', 'deprecatedSiteLocal', 'as112v6', 'orchid2', 'droneRemoteIdProtocolEntityTags', 'amt']);
/** Host names that always mean this machine or its network. */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/** Whether a literal IP address is on the public Internet (IPv4-mapped, NAT64, 6to4 and Teredo judged by the IPv4 inside). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.zoneId !== undefined) return false;
    const range = v6.range();
    if (range === 'ipv4Mapped') ip = v6.toIPv4Address();
    else if (range === 'rfc6052' || range === 'rfc6145' || range === '6to4' || range === 'teredo') return false; // tunnels to an IPv4 inside: refuse rather than decode
    else return !NON_PUBLIC_V6.has(range);
  }
  return !NON_PUBLIC_V4.has((ip as ipaddr.IPv4).range());
}

/** Why `url` may not be a webhook endpoint under `policy`, or undefined when it may. */
export function endpointProblem(url: string, policy: EndpointPolicy): string | undefined {
  if (url.length > MAX_ENDPOINT_URL) return `must be at most ${MAX_ENDPOINT_URL} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(policy.allowHttp && parsed.protocol === 'http:')) return policy.allowHttp ? 'must be an https: or http: URL' : 'must be an https: URL';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  if (parsed.hash !== '') return 'must not have a fragment';
  if (policy.allowPrivate) return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.isValid(host)) return isPublicAddress(host) ? undefined : 'must not be a private, loopback, link-local or otherwise non-public address';
  // WHATWG URL already turned decimal/hex/octal IPv4 spellings into dotted form, so a name here is a name.
  if (!host.includes('.') || LOCAL_NAMES.test(host)) return 'must be a public host name';
  return undefined;
}
