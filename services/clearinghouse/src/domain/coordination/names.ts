/**
 * DNS names as scan targets: normalised (lower case, IDNs as their ASCII `xn--` form, no trailing
 * dot) and refused when no operator could own them.
 *
 * Refused: single labels (a top-level domain or an intranet name), names that are IP addresses,
 * labels outside letters, digits and inner hyphens (RFC 1123), and special-use names nobody may
 * own or that never leave a local network (RFC 6761, 6762, 7686, 8375, 9476; RFC 2606's example
 * domains; `internal`). With subdomains, also a name that looks like a registry's own suffix
 * (`co.uk`, `gov.au`): "every name under co.uk" is overbroad. A complete check of such suffixes
 * needs the Public Suffix List; ownership itself is proven with the operators' inventories.
 */
import { domainToASCII } from 'node:url';
import { parseIp } from './addresses';

const MAX_NAME = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SPECIAL_USE = ['localhost', 'local', 'test', 'invalid', 'example', 'onion', 'internal', 'alt', 'arpa', 'home.arpa', 'example.com', 'example.net', 'example.org'];
/** Second-level labels registries use for their own public suffixes (co.uk, com.au, gov.br, ...). */
const REGISTRY_LABELS = new Set(['ac', 'co', 'com', 'edu', 'gov', 'govt', 'mil', 'net', 'org', 'or', 'ne', 'go', 'gob', 'gouv', 'nic', 'ltd', 'plc', 'sch', 'nhs', 'police', 'mod', 'nom', 'info', 'biz']);

/** The normalised name, or why it cannot be a scan target (a string). */
export function normalizeDnsName(text: string): { name: string } | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'is required';
  if (trimmed.length > MAX_NAME + 1) return `must be at most ${MAX_NAME} characters`;
  if (parseIp(trimmed.replace(/^\[|\]$/g, ''))) return 'is an IP address, not a DNS name';
  // domainToASCII maps Unicode names to their `xn--` form (and gives '' for an invalid IDN).
  // eslint-disable-next-line no-control-regex -- ASCII check
  const ascii = /^[\x00-\x7f]*$/.test(trimmed) ? trimmed.toLowerCase() : domainToASCII(trimmed);
  const name = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
  if (name === '') return 'is not a valid internationalised domain name';
  if (name.length > MAX_NAME) return `must be at most ${MAX_NAME} characters`;
  const labels = name.split('.');
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return `has a label (${JSON.stringify(bad.slice(0, 70))}) that is not 1 to 63 letters, digits or inner hyphens`;
  if (labels.length < 2) return 'must have at least two labels: a single label is a top-level domain or an intranet name';
  if (/^\d+$/.test(labels.at(-1)!)) return 'must not end in an all-numeric label (it reads as an IP address)';
  const special = SPECIAL_USE.find((s) => name === s || name.endsWith(`.${s}`));
  if (special) return `is under ${special}, a special-use or reserved name no operator owns`;
  return { name };
}

/** Why "`name` and every name under it" is overbroad, or undefined. */
export function overbroadDomain(name: string): string | undefined {
  const labels = name.split('.');
  if (labels.length === 2 && REGISTRY_LABELS.has(labels[0]!) && labels[1]!.length === 2) {
    return `looks like a registry's public suffix (${name}): every name under it belongs to others`;
  }
  return undefined;
}

/** Is `name` `domain` itself or a name under it? Both normalised. */
export function isAtOrUnder(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}
