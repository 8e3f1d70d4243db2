/**
 * The CSAF 2.0 tests of section 6 beyond the schema, from BSI's @secvisogram/csaf-validator-lib:
 * mandatory tests (6.1.x) refuse a document, optional (6.2.x) and informative (6.3.x) ones warn.
 *
 * The library is an ES module; it is loaded with a dynamic import on first use (Node requires ES
 * modules from CommonJS only this way portably, and loading it takes several seconds: the service
 * can warm it up with `loadCsafRules()` at start). Its modules are imported one by one so that the
 * informative tests needing the network (6.3.6, 6.3.7: do the URLs resolve) or a spell checker
 * process (6.3.8, hunspell) are never loaded: validation stays pure and offline.
 *
 * Three adjustments, each for a case of the official test suite the library gets wrong:
 * - 6.1.8 (CVSS objects valid against FIRST's schemas) is left to the schema validation, which
 *   references those schemas, as the library's own "basic" set does;
 * - 6.1.21 sorts the revision history by date only, so items with equal dates in descending number
 *   order look like a gap (official valid examples 6-1-14-12, 6-1-16-16, 6-1-16-17): it is given the
 *   history pre-sorted by date, then number (the library's sort is stable, so it keeps that order);
 * - 6.1.26 is replaced by category.ts.
 */
import { pointer, problem, type Problem } from '../problems';
import { prohibitedCategoryProblems } from './category';

export type CsafTestGroup = 'mandatory' | 'optional' | 'informative';

interface LibResult {
  isValid?: boolean;
  errors?: { message?: string; instancePath?: string }[];
  warnings?: { message?: string; instancePath?: string }[];
  infos?: { message?: string; instancePath?: string }[];
}

type LibTest = (doc: unknown) => LibResult | Promise<LibResult>;

export interface CsafRule {
  /** The standard's test id, e.g. "6.1.21". */
  readonly id: string;
  readonly group: CsafTestGroup;
  readonly run: (doc: unknown) => Promise<Problem[]>;
}

export interface CsafRules {
  readonly rules: readonly CsafRule[];
  /** Test ids of the standard not run here, and why. */
  readonly notRun: Readonly<Record<string, string>>;
}

const LIB = '@secvisogram/csaf-validator-lib/lib';
const INFORMATIVE_OFFLINE = [1, 2, 3, 4, 5, 9, 10, 11];
const NOT_RUN: Readonly<Record<string, string>> = {
  '6.3.6': 'needs the network (do the non-self-referencing URLs resolve)',
  '6.3.7': 'needs the network (do the self-referencing URLs resolve)',
  '6.3.8': 'needs a spell checker process (hunspell)',
};

/** `mandatoryTest_6_1_27_1` -> `6.1.27.1` */
export function testIdOf(functionName: string): string {
  return functionName.replace(/^[a-zA-Z]+Test_/, '').replace(/_/g, '.');
}

const GROUP_WORDS: Record<CsafTestGroup, string> = { mandatory: 'mandatory test', optional: 'optional test', informative: 'informative test' };

function asProblems(id: string, group: CsafTestGroup, result: LibResult): Problem[] {
  const entries = [...(result.errors ?? []), ...(result.warnings ?? []), ...(result.infos ?? [])];
  const found = entries.map((e) => problem(typeof e.instancePath === 'string' ? e.instancePath : '', `${GROUP_WORDS[group]} ${id}: ${e.message ?? 'fails'}`, id));
  if (found.length === 0 && result.isValid === false) found.push(problem('', `${GROUP_WORDS[group]} ${id}: fails`, id));
  return found;
}

function wrap(id: string, group: CsafTestGroup, test: LibTest): CsafRule {
  return { id, group, run: async (doc) => asProblems(id, group, await test(doc)) };
}

function versionParts(number: unknown): number[] {
  return typeof number === 'string' ? number.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN)) : [];
}

function byNumber(a: unknown, b: unknown): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** The document with its revision history ordered by date, then by number; anything else untouched. */
export function withHistoryInOrder(doc: unknown): unknown {
  const d = doc as { document?: { tracking?: { revision_history?: unknown } } } | null;
  const history = d?.document?.tracking?.revision_history;
  if (!Array.isArray(history) || !history.every((r) => r !== null && typeof r === 'object')) return doc;
  const items = history as { date?: unknown; number?: unknown }[];
  const sorted = [...items].sort((a, b) => {
    const t = Date.parse(String(a.date)) - Date.parse(String(b.date));
    return t !== 0 && !Number.isNaN(t) ? t : byNumber(a.number, b.number);
  });
  return { ...d, document: { ...d!.document, tracking: { ...d!.document!.tracking, revision_history: sorted } } };
}

function isTest(value: unknown): value is LibTest {
  return typeof value === 'function';
}

async function load(): Promise<CsafRules> {
  // A specifier in a variable keeps TypeScript from resolving the untyped ES modules.
  const module = (specifier: string) => import(specifier) as Promise<Record<string, unknown>>;
  const mandatory = await module(`${LIB}/mandatoryTests.js`);
  const optional = await module(`${LIB}/optionalTests.js`);
  const informative = await Promise.all(INFORMATIVE_OFFLINE.map((n) => module(`${LIB}/informativeTests/informativeTest_6_3_${n}.js`)));

  const rules: CsafRule[] = [];
  for (const [name, test] of Object.entries(mandatory)) {
    if (!isTest(test) || !name.startsWith('mandatoryTest_')) continue;
    const id = testIdOf(name);
    if (id === '6.1.8' || id === '6.1.26') continue;
    rules.push(id === '6.1.21' ? wrap(id, 'mandatory', (doc) => test(withHistoryInOrder(doc))) : wrap(id, 'mandatory', test));
  }
  rules.push({ id: '6.1.26', group: 'mandatory', run: (doc) => Promise.resolve(prohibitedCategoryProblems(doc)) });
  for (const [name, test] of Object.entries(optional)) {
    if (isTest(test) && name.startsWith('optionalTest_')) rules.push(wrap(testIdOf(name), 'optional', test));
  }
  for (const m of informative) {
    const test = m.default;
    if (isTest(test)) rules.push(wrap(testIdOf(test.name), 'informative', test));
  }
  if (!rules.some((r) => r.group === 'mandatory')) throw new Error('the CSAF validator library exposes no mandatory tests');
  return { rules, notRun: NOT_RUN };
}

let loading: Promise<CsafRules> | undefined;

/** The rules, loaded once per process. A failed load is retried on the next call. */
export function loadCsafRules(): Promise<CsafRules> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw new Error('could not load @secvisogram/csaf-validator-lib', { cause: error });
  });
  return loading;
}

/** Runs every rule; a rule that throws is a problem only when the schema passed (else the schema's errors say enough). */
export async function runCsafRules(rules: CsafRules, doc: unknown, schemaValid: boolean): Promise<{ errors: Problem[]; warnings: Problem[] }> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const rule of rules.rules) {
    let found: Problem[];
    try {
      found = await rule.run(doc);
    } catch (error) {
      if (!schemaValid) continue;
      found = [problem(pointer(), `${GROUP_WORDS[rule.group]} ${rule.id}: could not be evaluated (${error instanceof Error ? error.message : String(error)})`, rule.id)];
    }
    (rule.group === 'mandatory' ? errors : warnings).push(...found);
  }
  return { errors, warnings };
}
