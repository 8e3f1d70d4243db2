/**
 * A referral as a STIX 2.1 bundle, for the agency it is routed to: the incident (carrying the
 * referral's own fields in a property extension of ours, defined in the bundle), an identity for
 * the referrer, the Department of Justice and the victim's sector (never the victim's name), an
 * indicator with a STIX pattern and an observed-data with its cyber observables for each indicator,
 * the evidence items as files with their SHA-256, and relationships tying them to the incident.
 * Every object is marked TLP:AMBER+STRICT (TLP 2.0, the official marking definition ids).
 * Deterministic: ids are UUID v5 of the referral and the object's key, times come from the
 * referral, so exporting again gives the same bytes.
 */
import { v5 as uuidv5 } from 'uuid';
import type { EvidenceItem } from './custody';
import type { Indicator, Referral } from './referral';

/** TLP 2.0 in STIX 2.1: FIRST's levels as marking definitions, under the TLP 2.0 extension definition. */
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP_AMBER_STRICT = {
  type: 'marking-definition',
  spec_version: '2.1',
  id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  created: '2022-10-01T00:00:00.000Z',
  name: 'TLP:AMBER+STRICT',
  extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: 'amber+strict' } },
} as const;

/** Our property extension for the referral's fields on the incident; its id is fixed (a version is a new id). */
const REFERRAL_EXTENSION_ID = 'extension-definition--1b7e5c6e-5a0d-4c59-9d0f-6f3a8c2e7d41';
export const REFERRAL_EXTENSION = {
  type: 'extension-definition', spec_version: '2.1', id: REFERRAL_EXTENSION_ID, created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z',
  created_by_ref: 'identity--5d1f0f2a-7d0c-5b55-9c6e-2f8b8b0f1e3a', name: 'Rampart enforcement referral',
  description: 'The fields of an EO 14409 s.4 enforcement referral: status, source, statutes, loss, priority and its policy version, routing.',
  schema: 'https://rampart.example/schemas/enforcement-referral-extension-v1.json', version: '1.0.0', extension_types: ['property-extension'],
  object_marking_refs: ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
} as const;
const NAMESPACE = 'c2b6a8e4-1f3d-4e7a-9b5c-0d2e4f6a8b1c';
const DOJ = 'identity--5d1f0f2a-7d0c-5b55-9c6e-2f8b8b0f1e3a';

export interface StixObject {
  type: string;
  id: string;
  [key: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** A STIX string literal in a pattern: backslash and quote escaped. */
const literal = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The indicator's STIX pattern and the observable it is, or undefined for kinds STIX has no object for. */
function patternOf(i: Indicator): { pattern: string; observable: { type: string; [key: string]: unknown } } | undefined {
  switch (i.type) {
    case 'ipv4': return { pattern: `[ipv4-addr:value = ${literal(i.value)}]`, observable: { type: 'ipv4-addr', value: i.value } };
    case 'ipv6': return { pattern: `[ipv6-addr:value = ${literal(i.value)}]`, observable: { type: 'ipv6-addr', value: i.value } };
    case 'domain': return { pattern: `[domain-name:value = ${literal(i.value)}]`, observable: { type: 'domain-name', value: i.value } };
    case 'url': return { pattern: `[url:value = ${literal(i.value)}]`, observable: { type: 'url', value: i.value } };
    case 'email': return { pattern: `[email-addr:value = ${literal(i.value)}]`, observable: { type: 'email-addr', value: i.value } };
    case 'file-sha256': return { pattern: `[file:hashes.'SHA-256' = ${literal(i.value)}]`, observable: { type: 'file', hashes: { 'SHA-256': i.value } } };
    // No STIX cyber observable for a wallet address or free text: the narrative carries them.
    case 'crypto-wallet':
    case 'other':
      return undefined;
  }
}

/** STIX lists have at least one item: an empty one is left out. */
const nonEmpty = (key: string, list: readonly string[]) => (list.length > 0 ? { [key]: [...list] } : {});

/** STIX timestamps: RFC 3339 in UTC with milliseconds. */
const ts = (d: Date) => d.toISOString();

export function referralBundle(referral: Referral, evidence: readonly EvidenceItem[]): StixBundle {
  const id = (type: string, key: string) => `${type}--${uuidv5(`${referral.id}/${type}/${key}`, NAMESPACE)}`;
  const created = ts(referral.receivedAt);
  const modified = ts(referral.statusSince > referral.receivedAt ? referral.statusSince : referral.receivedAt);
  const marked = { object_marking_refs: [TLP_AMBER_STRICT.id] };
  const sdo = (type: string, key: string, fields: Record<string, unknown>): StixObject => ({ type, spec_version: '2.1', id: id(type, key), created, modified, created_by_ref: DOJ, ...marked, ...fields });
  const relationship = (key: string, source: string, kind: string, target: string): StixObject =>
    sdo('relationship', key, { relationship_type: kind, source_ref: source, target_ref: target });

  const d = referral.details;
  const objects: StixObject[] = [
    { type: 'identity', spec_version: '2.1', id: DOJ, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'U.S. Department of Justice', identity_class: 'organization', sectors: ['government-national'], ...marked },
    { ...TLP_AMBER_STRICT },
  ];
  const victim = sdo('identity', 'victim', { name: `Victim (${d.victim.sector}, ${d.victim.size})`, identity_class: d.victim.size === 'individual' ? 'individual' : 'organization', ...(d.victim.sector !== 'other' ? { sectors: [stixSector(d.victim.sector)] } : {}) });
  objects.push(victim);
  const incident = sdo('incident', 'incident', {
    name: `Referral ${referral.id}`,
    description: d.narrative,
    extensions: {
      [REFERRAL_EXTENSION_ID]: {
        extension_type: 'property-extension',
        referral_id: referral.id, status: referral.status, source: referral.source, ...nonEmpty('suspected_statutes', d.suspectedStatutes),
        loss_usd_cents: d.lossUsdCents, ...nonEmpty('ai_enabled_indicators', d.aiEnabledIndicators), exploits_known_exploited_flaw: d.exploitsKnownExploitedFlaw,
        priority_score: referral.priority.score, priority_policy_version: referral.priority.policyVersion,
        ...(referral.routedTo ? { routed_to: referral.routedTo } : {}),
        ...nonEmpty('linked_records', referral.links.map((l) => `${l.kind}:${l.id}`)),
        ...(d.occurredFrom ? { occurred_from: ts(d.occurredFrom.at) } : {}), ...(d.occurredUntil ? { occurred_until: ts(d.occurredUntil.at) } : {}), ...(d.timeZone ? { time_zone: d.timeZone } : {}),
      },
    },
  });
  objects.push(incident, relationship('targets', incident.id, 'targets', victim.id));
  if (referral.organization) {
    const referrer = sdo('identity', 'referrer', { name: referral.organization, identity_class: 'organization' });
    objects.push(referrer, relationship('reported-by', incident.id, 'related-to', referrer.id));
  }
  const firstSeen = ts(d.occurredFrom?.at ?? referral.receivedAt);
  const lastSeen = ts(d.occurredUntil?.at ?? d.occurredFrom?.at ?? referral.receivedAt);
  d.indicators.forEach((i, n) => {
    const p = patternOf(i);
    if (!p) return;
    const sco: StixObject = { ...p.observable, id: id(p.observable.type, `indicator-${n}`), spec_version: '2.1' };
    const indicator = sdo('indicator', `indicator-${n}`, { name: `${i.type} ${i.value}`, indicator_types: ['malicious-activity'], pattern: p.pattern, pattern_type: 'stix', valid_from: firstSeen });
    const observed = sdo('observed-data', `observed-${n}`, { first_observed: firstSeen, last_observed: lastSeen, number_observed: 1, object_refs: [sco.id] });
    objects.push(sco, indicator, observed, relationship(`indicates-${n}`, indicator.id, 'indicates', incident.id), relationship(`observed-${n}`, indicator.id, 'based-on', observed.id));
  });
  evidence.forEach((e) => {
    const file: StixObject = { type: 'file', spec_version: '2.1', id: id('file', `evidence-${e.id}`), hashes: { 'SHA-256': e.sha256 }, size: e.sizeBytes, mime_type: e.mediaType, name: e.reference.slice(0, 256) };
    const observed = sdo('observed-data', `evidence-${e.id}`, { first_observed: ts(e.addedAt), last_observed: ts(e.addedAt), number_observed: 1, object_refs: [file.id] });
    objects.push(file, observed, relationship(`evidence-${e.id}`, observed.id, 'related-to', incident.id));
  });
  return { type: 'bundle', id: `bundle--${uuidv5(`${referral.id}/bundle/${referral.revision}`, NAMESPACE)}`, objects };
}

/** STIX's industry-sector vocabulary for our sector names (closest term). */
function stixSector(sector: string): string {
  const map: Record<string, string> = {
    'financial-services': 'financial-services', 'healthcare-and-public-health': 'healthcare', energy: 'energy', 'water-and-wastewater': 'utilities',
    communications: 'communications', 'information-technology': 'technology', 'transportation-systems': 'transportation', 'government-facilities': 'government',
    'defense-industrial-base': 'defense', 'emergency-services': 'government-emergency-services', 'food-and-agriculture': 'agriculture', 'critical-manufacturing': 'manufacturing',
    chemical: 'manufacturing', nuclear: 'energy', dams: 'utilities', 'commercial-facilities': 'retail',
  };
  return map[sector] ?? 'infrastructure';
}
