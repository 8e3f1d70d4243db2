/**
 * Input rules for submissions. Every violation names its field as the client spelled it (proto
 * field paths), and all of them are reported at once.
 */
import { retryKeyField, textField as text, uuidField, type FieldViolation } from '@rampart/errors';
import { MODALITIES, type ModelDetails } from './submission';

export const LIMITS = {
  modelName: 200,
  modelVersion: 100,
  description: 20_000,
  evaluations: 50,
  benchmark: 200,
  contacts: 20,
  contactField: 200,
  email: 254,
  withdrawalReason: 2_000,
  maxFlop: 1e40,
  maxParameters: Number.MAX_SAFE_INTEGER,
} as const;

/** The details as they arrive, before checks: anything may be missing or malformed. */
export interface ModelDetailsInput {
  modelName?: string;
  modelVersion?: string;
  description?: string;
  modalities?: (string | undefined)[];
  trainingComputeFlop?: number;
  parameterCount?: number;
  intendedPartnerReleaseAt?: Date;
  intendedPublicReleaseAt?: Date;
  selfReportedEvaluations?: { benchmark?: string; score?: number; evaluationDate?: string }[];
  pointsOfContact?: { name?: string; email?: string; role?: string }[];
}

type Violations = FieldViolation[];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/**
 * Checks and normalises model details. `previous` is set for amendments: a release date is only
 * held to "not in the past" when it is set or changed, so an amendment need not move a date that
 * has already gone by.
 */
export function validateDetails(input: ModelDetailsInput | undefined, now: Date, previous?: ModelDetails, prefix = 'details'): { details?: ModelDetails; violations: Violations } {
  const out: Violations = [];
  if (!input) return { violations: [{ field: prefix, description: 'is required' }] };
  const f = (name: string) => `${prefix}.${name}`;

  const modelName = text(out, f('model_name'), input.modelName, LIMITS.modelName);
  const modelVersion = text(out, f('model_version'), input.modelVersion, LIMITS.modelVersion);
  const description = text(out, f('description'), input.description, LIMITS.description);

  const modalities = input.modalities ?? [];
  if (modalities.length === 0) out.push({ field: f('modalities'), description: 'must name at least one modality' });
  // Each modality at most once, so more entries than modalities are wrong as a whole: check no further.
  if (modalities.length > MODALITIES.length) out.push({ field: f('modalities'), description: `must have at most ${MODALITIES.length} entries` });
  modalities.slice(0, MODALITIES.length).forEach((m, i) => {
    if (!m || !(MODALITIES as readonly string[]).includes(m)) out.push({ field: `${f('modalities')}[${i}]`, description: `must be one of ${MODALITIES.join(', ')}` });
  });
  if (new Set(modalities).size !== modalities.length) out.push({ field: f('modalities'), description: 'must not repeat a modality' });

  const flop = input.trainingComputeFlop;
  if (flop !== undefined && (!Number.isFinite(flop) || flop < 0 || flop > LIMITS.maxFlop)) {
    out.push({ field: f('training_compute_flop'), description: `must be a finite number from 0 to ${LIMITS.maxFlop}` });
  }
  const params = input.parameterCount;
  if (params !== undefined && (!Number.isSafeInteger(params) || params < 0)) {
    out.push({ field: f('parameter_count'), description: 'must be a whole number from 0 to 2^53-1' });
  }

  const partner = input.intendedPartnerReleaseAt;
  const publicAt = input.intendedPublicReleaseAt;
  for (const [name, value, before] of [
    ['intended_partner_release_time', partner, previous?.intendedPartnerReleaseAt],
    ['intended_public_release_time', publicAt, previous?.intendedPublicReleaseAt],
  ] as const) {
    if (!value || Number.isNaN(value.getTime())) {
      out.push({ field: f(name), description: 'is required' });
    } else if (value.getTime() < now.getTime() && value.getTime() !== before?.getTime()) {
      out.push({ field: f(name), description: `must not be in the past (now is ${now.toISOString()})` });
    }
  }
  if (partner && publicAt && publicAt.getTime() < partner.getTime()) {
    out.push({ field: f('intended_public_release_time'), description: 'must not be before intended_partner_release_time' });
  }

  const evaluations = input.selfReportedEvaluations ?? [];
  if (evaluations.length > LIMITS.evaluations) out.push({ field: f('self_reported_evaluations'), description: `must have at most ${LIMITS.evaluations} entries` });
  const today = now.toISOString().slice(0, 10);
  const cleanEvaluations = evaluations.slice(0, LIMITS.evaluations).map((e, i) => {
    const at = `${f('self_reported_evaluations')}[${i}]`;
    const benchmark = text(out, `${at}.benchmark`, e.benchmark, LIMITS.benchmark);
    const score = e.score ?? 0;
    if (!Number.isFinite(score)) out.push({ field: `${at}.score`, description: 'must be a finite number' });
    const date = e.evaluationDate ?? '';
    if (!isCalendarDate(date)) out.push({ field: `${at}.evaluation_date`, description: 'must be a date as YYYY-MM-DD' });
    else if (date > today) out.push({ field: `${at}.evaluation_date`, description: 'must not be in the future' });
    return { benchmark, score, evaluationDate: date };
  });

  const contacts = input.pointsOfContact ?? [];
  if (contacts.length === 0) out.push({ field: f('points_of_contact'), description: 'must name at least one point of contact' });
  if (contacts.length > LIMITS.contacts) out.push({ field: f('points_of_contact'), description: `must have at most ${LIMITS.contacts} entries` });
  const cleanContacts = contacts.slice(0, LIMITS.contacts).map((c, i) => {
    const at = `${f('points_of_contact')}[${i}]`;
    const name = text(out, `${at}.name`, c.name, LIMITS.contactField);
    const email = text(out, `${at}.email`, c.email, LIMITS.email);
    if (email && !EMAIL.test(email)) out.push({ field: `${at}.email`, description: 'must be an email address' });
    const role = text(out, `${at}.role`, c.role, LIMITS.contactField, false);
    return { name, email: email.toLowerCase(), role };
  });

  if (out.length > 0) return { violations: out };
  return {
    violations: out,
    details: {
      modelName,
      modelVersion,
      description,
      modalities: modalities as ModelDetails['modalities'],
      ...(flop !== undefined ? { trainingComputeFlop: flop } : {}),
      ...(params !== undefined ? { parameterCount: params } : {}),
      intendedPartnerReleaseAt: partner!,
      intendedPublicReleaseAt: publicAt!,
      selfReportedEvaluations: cleanEvaluations,
      pointsOfContact: cleanContacts,
    },
  };
}

export function validateIdempotencyKey(key: string | undefined): Violations {
  const out: Violations = [];
  retryKeyField(out, 'idempotency_key', key, 'any value unique within your organisation, e.g. a UUID');
  return out;
}

export function validateSubmissionId(id: string | undefined, field = 'submission_id'): Violations {
  const out: Violations = [];
  uuidField(out, field, id, 'a submission id');
  return out;
}

export function validateReason(reason: string | undefined): Violations {
  const out: Violations = [];
  text(out, 'reason', reason, LIMITS.withdrawalReason);
  return out;
}
