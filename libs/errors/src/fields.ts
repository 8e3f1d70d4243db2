/**
 * Rules for input fields every service checks the same way. Each pushes its violations onto `out`
 * (so a validator reports everything at once) and returns the normalised value.
 */
import type { FieldViolation } from './index';

// Control characters other than tab and newlines have no place in text fields (and NUL cannot be stored).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A trimmed text field: required unless said otherwise, at most `max` characters, no control characters. */
export function textField(out: FieldViolation[], field: string, value: string | undefined, max: number, required = true): string {
  const v = value ?? '';
  if (v.trim() === '') {
    if (required) out.push({ field, description: 'is required' });
  } else if (v.length > max) {
    out.push({ field, description: `must be at most ${max} characters (got ${v.length})` });
  } else if (CONTROL.test(v)) {
    out.push({ field, description: 'must not contain control characters' });
  }
  return v.trim();
}

/** An entity id: a lowercase UUID; `what` names it for the reader ("a submission id"). */
export function uuidField(out: FieldViolation[], field: string, value: string | undefined, what: string): string {
  if (!value) out.push({ field, description: 'is required' });
  else if (!UUID.test(value)) out.push({ field, description: `must be ${what} (a lowercase UUID)` });
  return value ?? '';
}

const RETRY_KEY = /^[A-Za-z0-9._:-]+$/;
/** The longest key a client may choose to have its retries recognised. */
export const RETRY_KEY_LIMIT = 128;

/**
 * A key the client chooses so that a retry is recognised as one (an idempotency key): required,
 * `why` saying what it is for, at most RETRY_KEY_LIMIT letters, digits and . _ : -
 */
export function retryKeyField(out: FieldViolation[], field: string, value: string | undefined, why: string): string {
  if (!value) out.push({ field, description: `is required (${why})` });
  else if (value.length > RETRY_KEY_LIMIT) out.push({ field, description: `must be at most ${RETRY_KEY_LIMIT} characters` });
  else if (!RETRY_KEY.test(value)) out.push({ field, description: 'may hold only letters, digits and . _ : -' });
  return value ?? '';
}
