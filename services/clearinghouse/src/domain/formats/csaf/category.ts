/**
 * CSAF 2.0 mandatory test 6.1.26, Prohibited Document Category Name, written from the standard
 * because the BSI library compares only the profiles' names and misses their values: the official
 * failing example `csafsecurityadvisory` (the value `csaf_security_advisory` without underscores)
 * passes it.
 *
 * The standard: the category must not equal, case-insensitively and ignoring dashes, whitespace and
 * underscores on both sides, the name (without "CSAF") or the value of any profile other than CSAF
 * Base; nor start with the reserved prefix `csaf_` unless it is `csaf_base`. Documents whose category
 * is exactly another profile's value are that profile's, and skip the test.
 */
import { problem, type Problem } from '../problems';

const PROFILES = [
  { name: 'Security incident response', value: 'csaf_security_incident_response' },
  { name: 'Informational Advisory', value: 'csaf_informational_advisory' },
  { name: 'Security Advisory', value: 'csaf_security_advisory' },
  { name: 'VEX', value: 'csaf_vex' },
] as const;

function squeezed(text: string): string {
  return text.replace(/[-\s_]/g, '').toLowerCase();
}

export function prohibitedCategoryProblems(value: unknown): Problem[] {
  const category = (value as { document?: { category?: unknown } } | null)?.document?.category;
  if (typeof category !== 'string') return [];
  if (category === 'csaf_base' || PROFILES.some((p) => p.value === category)) return [];
  if (category.toLowerCase().startsWith('csaf_')) {
    return [problem('/document/category', 'mandatory test 6.1.26: uses the reserved prefix csaf_ but is not csaf_base', '6.1.26')];
  }
  const sameAs = PROFILES.find((p) => squeezed(p.name) === squeezed(category) || squeezed(p.value) === squeezed(category));
  return sameAs
    ? [problem('/document/category', `mandatory test 6.1.26: is too close to the profile ${JSON.stringify(sameAs.value)}; use that value or another name`, '6.1.26')]
    : [];
}
