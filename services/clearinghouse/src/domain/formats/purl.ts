/**
 * Package URLs (purl spec, via packageurl-js): parsing that never throws, the canonical text, and a
 * package's identity (type, namespace, name: no version, qualifiers or subpath), which is what
 * records from different sources share for the same package.
 */
import { PackageURL } from 'packageurl-js';

/** Longest purl looked at; packageurl-js is not needed on hostile megabyte strings. */
export const MAX_PURL_CHARS = 4_096;

export function parsePurl(text: string): PackageURL | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_PURL_CHARS) return undefined;
  try {
    return PackageURL.fromString(text);
  } catch {
    return undefined;
  }
}

/** The canonical text of a purl (normalised by its type's rules, e.g. PyPI names lower case with `-`), or undefined. */
export function canonicalPurlText(text: string): string | undefined {
  return parsePurl(text)?.toString();
}

/** Why a purl does not parse, or undefined when it does. */
export function purlProblem(text: string): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return 'is empty';
  if (text.length > MAX_PURL_CHARS) return `is longer than ${MAX_PURL_CHARS} characters`;
  try {
    PackageURL.fromString(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `pkg:type/namespace/name`, canonical, without version, qualifiers or subpath. */
export function purlIdentity(text: string): string | undefined {
  const p = parsePurl(text);
  if (!p) return undefined;
  return identityOf(p);
}

/**
 * Type, namespace and name of a parsed purl (one of our own, not shared), as canonical text.
 * Not rebuilt with the constructor: it re-checks type rules that need the parts left out (cran and
 * swift require a version, conan with a namespace its qualifiers), and would refuse them.
 */
function identityOf(p: PackageURL): string {
  p.version = undefined;
  p.qualifiers = undefined;
  p.subpath = undefined;
  return p.toString();
}

/** The version a purl pins, if any. */
export function purlVersion(text: string): string | undefined {
  return parsePurl(text)?.version ?? undefined;
}

/**
 * OSV ecosystems to purl types (the OSV schema's table). A Maven name is `group:artifact`, a Go or
 * npm name carries its namespace after the last `/`.
 */
const ECOSYSTEM_TYPES: Readonly<Record<string, string>> = {
  PyPI: 'pypi',
  npm: 'npm',
  Maven: 'maven',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  Hex: 'hex',
  Pub: 'pub',
  CRAN: 'cran',
  Hackage: 'hackage',
  SwiftURL: 'swift',
  GitHub_Actions: 'github',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
};

/** The identity purl of an OSV package (ecosystem and name), when the ecosystem has a purl type. */
export function purlForPackage(ecosystem: string, name: string): string | undefined {
  if (typeof ecosystem !== 'string' || typeof name !== 'string' || name.length === 0 || name.length > MAX_PURL_CHARS) return undefined;
  // "Debian:11", "Alpine:v3.16": the release after the colon is not part of the package's identity.
  const base = ecosystem.split(':')[0] ?? ecosystem;
  const type = ECOSYSTEM_TYPES[base];
  if (!type) return undefined;
  let namespace: string | undefined;
  let leaf = name;
  if (type === 'maven' && name.includes(':')) {
    const cut = name.lastIndexOf(':');
    namespace = name.slice(0, cut);
    leaf = name.slice(cut + 1);
  } else if ((type === 'golang' || type === 'npm' || type === 'composer' || type === 'github' || type === 'swift') && name.includes('/')) {
    const cut = name.lastIndexOf('/');
    namespace = name.slice(0, cut);
    leaf = name.slice(cut + 1);
  }
  if (type === 'deb') namespace = base === 'Ubuntu' ? 'ubuntu' : 'debian';
  if (type === 'apk') namespace = 'alpine';
  try {
    // A placeholder version passes the types that require one (CRAN, Swift); the identity drops it.
    return identityOf(new PackageURL(type, namespace, leaf, '0', undefined, undefined));
  } catch {
    return undefined;
  }
}
