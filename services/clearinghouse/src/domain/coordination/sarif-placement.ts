/**
 * Where a SARIF 2.1.0 result says it is, for the scope check of scan-claim.ts. The input is
 * whatever the scanner sent (already schema-valid, but read defensively: every field may be
 * missing or of the wrong type).
 *
 * Read: each of the result's `locations[].physicalLocation.artifactLocation` (following `index`
 * into `run.artifacts` and `uriBaseId` through `run.originalUriBaseIds`), `analysisTarget`, and
 * `webRequest.target`; the run's `invocations[].startTimeUtc`/`endTimeUtc`. Related locations
 * and code flows are context, not where the result is, so they are not read.
 *
 * For network kinds a location is the host of an absolute URI (`https://203.0.113.7:8443/login`)
 * or a bare host (`203.0.113.7`, `portal.hospital.example:443`). For `source-code` it is a file
 * under a repository: an absolute https URL, or a path relative to a base that
 * `run.versionControlProvenance[].mappedTo` ties to a repository (with one provenance entry, a
 * relative path without such a base is under that repository). Anything else cannot be placed,
 * and is reported as such, so the result is refused rather than guessed into scope.
 */
import type { FindingPlacement } from './scan-claim';
import type { ScanKind } from './scan-request';
import type { FindingLocation } from './scan-targets';

const MAX_LOCATIONS = 100;
const MAX_BASE_DEPTH = 8;
const MAX_URI_CHARS = 4_096;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function isAbsolute(uri: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri);
}

/** A location as written, resolved through its bases as far as they go. */
interface Resolved {
  uri: string;
  /** The repository a relative path sits in, when a base maps to one. */
  repository?: string;
}

function resolveArtifactLocation(run: Json, location: Json | undefined, problems: string[]): Resolved | undefined {
  if (!location) return undefined;
  let loc = location;
  const index = loc.index;
  if (str(loc.uri) === undefined && typeof index === 'number') loc = obj(obj(arr(run.artifacts)[index])?.location) ?? loc;
  let uri = str(loc.uri);
  if (uri === undefined) return undefined;
  if (uri.length > MAX_URI_CHARS) { problems.push(`a location's uri is longer than ${MAX_URI_CHARS} characters`); return undefined; }
  const bases = obj(run.originalUriBaseIds) ?? {};
  const repositories = new Map(arr(run.versionControlProvenance).flatMap((v) => {
    const base = str(obj(obj(v)?.mappedTo)?.uriBaseId), repo = str(obj(v)?.repositoryUri);
    return base && repo ? [[base, repo] as const] : [];
  }));
  let baseId = str(loc.uriBaseId);
  for (let depth = 0; baseId !== undefined && !isAbsolute(uri); depth++) {
    if (depth >= MAX_BASE_DEPTH) { problems.push(`uriBaseId ${JSON.stringify(baseId)} nests too deep`); return undefined; }
    const repository = repositories.get(baseId);
    if (repository) return { uri, repository };
    const base = obj(bases[baseId]);
    const baseUri = str(base?.uri);
    if (!base || baseUri === undefined) break;
    uri = isAbsolute(baseUri) ? safeJoin(baseUri, uri) ?? uri : baseUri + uri;
    baseId = str(base.uriBaseId);
  }
  return { uri };
}

function safeJoin(base: string, relative: string): string | undefined {
  try {
    return new URL(relative, base).href;
  } catch {
    return undefined;
  }
}

function hostOf(uri: string): string | undefined {
  if (isAbsolute(uri) && uri.includes('://')) {
    try {
      const host = new URL(uri).hostname;
      return host === '' ? undefined : host.replace(/^\[(.*)\]$/, '$1');
    } catch {
      return undefined;
    }
  }
  // A bare host, with or without a port: `203.0.113.7`, `[2001:db8::1]:443`, `host.example:443`, `2001:db8::1`.
  const bare = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(uri) ?? /^([0-9A-Fa-f:.]+)$/.exec(uri);
  return bare ? (bare[1] ?? bare[2]) : undefined;
}

function timeOf(value: unknown, field: string, problems: string[]): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/(?:Z|[+-]\d{2}:\d{2})$/i.test(text)) { problems.push(`run ${field} ${JSON.stringify(text.slice(0, 40))} is not a UTC date-time`); return undefined; }
  return t;
}

/**
 * The placement of `result` (one element of `run.results`) for a job of `kind`, and the problems
 * met reading it. A result with problems, or without locations, must be refused.
 */
export function placementOfSarifResult(runInput: unknown, resultInput: unknown, kind: ScanKind): { placement: FindingPlacement; problems: string[] } {
  const run = obj(runInput) ?? {};
  const result = obj(resultInput) ?? {};
  const problems: string[] = [];
  const written: Resolved[] = [];
  const locations = arr(result.locations);
  if (locations.length > MAX_LOCATIONS) problems.push(`has ${locations.length} locations: at most ${MAX_LOCATIONS}`);
  for (const l of locations.slice(0, MAX_LOCATIONS)) {
    const r = resolveArtifactLocation(run, obj(obj(obj(l)?.physicalLocation)?.artifactLocation), problems);
    if (r) written.push(r);
  }
  const target = resolveArtifactLocation(run, obj(result.analysisTarget), problems);
  if (target) written.push(target);
  const web = str(obj(result.webRequest)?.target);
  if (web !== undefined && web.length > MAX_URI_CHARS) problems.push(`webRequest.target is longer than ${MAX_URI_CHARS} characters`);
  else if (web !== undefined) written.push({ uri: web });

  const provenance = arr(run.versionControlProvenance).map((v) => str(obj(v)?.repositoryUri)).filter((u): u is string => u !== undefined);
  const placed: FindingLocation[] = [];
  for (const w of written) {
    const shown = JSON.stringify(w.uri.slice(0, 200));
    if (kind === 'source-code') {
      const repository = w.repository ?? (!isAbsolute(w.uri) && provenance.length === 1 ? provenance[0] : undefined);
      const url = repository !== undefined ? safeJoin(repository.replace(/\/*$/, '/'), w.uri.replace(/^\/+/, '')) : /^https:\/\//i.test(w.uri) ? w.uri : undefined;
      if (url === undefined) problems.push(`location ${shown} cannot be placed in a repository (no versionControlProvenance maps its base)`);
      else placed.push({ kind: 'repository', url: url.replace(/[?#].*$/, '') });
    } else {
      const host = hostOf(w.uri);
      if (host === undefined) problems.push(`location ${shown} names no host`);
      else placed.push({ kind: 'host', host });
    }
  }

  const starts = arr(run.invocations).map((i) => timeOf(obj(i)?.startTimeUtc, 'invocation startTimeUtc', problems)).filter((t): t is number => t !== undefined);
  const ends = arr(run.invocations).map((i) => timeOf(obj(i)?.endTimeUtc, 'invocation endTimeUtc', problems)).filter((t): t is number => t !== undefined);
  return {
    placement: {
      locations: placed,
      ...(starts.length > 0 ? { scannedFrom: new Date(Math.min(...starts)) } : {}),
      ...(ends.length > 0 ? { scannedUntil: new Date(Math.max(...ends)) } : {}),
    },
    problems,
  };
}
