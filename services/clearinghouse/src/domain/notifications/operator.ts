/**
 * An Operator: a critical-infrastructure organisation that registers its assets to hear about
 * the flaws affecting them. Its sector (the 16 sectors of PPD-21 as CISA names them) and size let
 * analysts see exposure where capacity to patch is thinnest (the rural hospital, the community
 * bank); its contacts and webhook endpoints are where notifications go.
 */
import type { FieldViolation } from '@rampart/errors';
import { textField } from '@rampart/errors';
import type { Contact } from './escalation';
import { endpointProblem, type EndpointPolicy } from './endpoint-guard';

export const OPERATOR_SECTORS = [
  'chemical',
  'commercial-facilities',
  'communications',
  'critical-manufacturing',
  'dams',
  'defense-industrial-base',
  'emergency-services',
  'energy',
  'financial-services',
  'food-and-agriculture',
  'government-facilities',
  'healthcare-and-public-health',
  'information-technology',
  'nuclear',
  'transportation-systems',
  'water-and-wastewater',
] as const;
export type OperatorSector = (typeof OPERATOR_SECTORS)[number];

/** Small: no security staff of its own (a rural hospital, a community bank, a small water utility). */
export const OPERATOR_SIZES = ['small', 'medium', 'large'] as const;
export type OperatorSize = (typeof OPERATOR_SIZES)[number];

export const OPERATOR_LIMITS = { name: 200, contacts: 20, contactName: 200, email: 254, webhooks: 5 } as const;

export interface WebhookEndpoint {
  /** Stable within the operator; deliveries are recorded per endpoint. */
  id: string;
  url: string;
}

export interface OperatorProfile {
  name: string;
  sector: OperatorSector;
  size: OperatorSize;
  contacts: Contact[];
  webhooks: WebhookEndpoint[];
}

export interface OperatorProfileInput {
  name?: string;
  sector?: string;
  size?: string;
  contacts?: { name?: string; email?: string; primary?: boolean }[];
  webhooks?: { id?: string; url?: string }[];
}

// Deliberately plain: one @, no spaces or controls, a dotted domain. SMTP decides the rest.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const ENDPOINT_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T => v !== undefined && (values as readonly string[]).includes(v);

/** Checks an operator's profile; every problem at once, fields named as the proto names them. */
export function operatorProfile(out: FieldViolation[], input: OperatorProfileInput, endpoints: EndpointPolicy): OperatorProfile {
  const name = textField(out, 'name', input.name, OPERATOR_LIMITS.name);
  if (!oneOf(OPERATOR_SECTORS, input.sector)) out.push({ field: 'sector', description: `must be one of ${OPERATOR_SECTORS.join(', ')}` });
  if (!oneOf(OPERATOR_SIZES, input.size)) out.push({ field: 'size', description: `must be one of ${OPERATOR_SIZES.join(', ')}` });
  const contactsIn = input.contacts ?? [];
  if (contactsIn.length === 0) out.push({ field: 'contacts', description: 'must name at least one contact' });
  if (contactsIn.length > OPERATOR_LIMITS.contacts) out.push({ field: 'contacts', description: `must have at most ${OPERATOR_LIMITS.contacts} entries` });
  const contacts = contactsIn.slice(0, OPERATOR_LIMITS.contacts).map((c, i) => {
    const at = `contacts[${i}]`;
    const email = textField(out, `${at}.email`, c.email, OPERATOR_LIMITS.email);
    if (email !== '' && email.length <= OPERATOR_LIMITS.email && !EMAIL.test(email)) out.push({ field: `${at}.email`, description: 'must be an e-mail address' });
    return { name: textField(out, `${at}.name`, c.name, OPERATOR_LIMITS.contactName), email: email.toLowerCase(), primary: c.primary === true };
  });
  if (contacts.length > 0 && !contacts.some((c) => c.primary)) out.push({ field: 'contacts', description: 'must mark one contact primary' });
  if (new Set(contacts.map((c) => c.email)).size !== contacts.length) out.push({ field: 'contacts', description: 'must not list an e-mail address twice' });
  const hooksIn = input.webhooks ?? [];
  if (hooksIn.length > OPERATOR_LIMITS.webhooks) out.push({ field: 'webhooks', description: `must have at most ${OPERATOR_LIMITS.webhooks} entries` });
  const webhooks = hooksIn.slice(0, OPERATOR_LIMITS.webhooks).map((w, i) => {
    const at = `webhooks[${i}]`;
    const id = w.id ?? '';
    if (!ENDPOINT_ID.test(id)) out.push({ field: `${at}.id`, description: 'must be 1 to 32 lower-case letters, digits or -, starting with a letter or digit' });
    const url = textField(out, `${at}.url`, w.url, 4_096);
    const problem = url === '' ? undefined : endpointProblem(url, endpoints);
    if (problem) out.push({ field: `${at}.url`, description: problem });
    return { id, url };
  });
  if (new Set(webhooks.map((w) => w.id)).size !== webhooks.length) out.push({ field: 'webhooks', description: 'must not repeat an endpoint id' });
  return { name, sector: input.sector as OperatorSector, size: input.size as OperatorSize, contacts, webhooks };
}
