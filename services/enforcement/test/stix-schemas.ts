/**
 * OASIS's STIX 2.1 JSON schemas (../shared/conformance/stix, draft 2020-12) compiled with ajv: a
 * bundle is valid when the bundle schema accepts it and every object passes its own type's schema.
 *
 * One quirk of the bundle schema: types it does not list (incident, a 2.1 stub SDO, among them) go
 * to its "custom object" branch, a oneOf of the SDO core and the SCO core, and any SDO passes both
 * (the SCO core allows every property), so the oneOf refuses every such object whatever it holds.
 * Those objects are checked against their own type's schema (incident.json) and kept out of the
 * bundle schema's pass; every other object goes through both.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from '@rampart/testing';

const ROOT = path.join(REPO_ROOT, '../shared/conformance/stix/schemas');

function schemaFiles(): string[] {
  return ['common', 'sdos', 'sros', 'observables'].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)));
}

/** Types with a schema of their own that the bundle schema does not list (see above). */
const UNLISTED = new Set(['incident', 'grouping', 'location', 'note', 'opinion', 'extension-definition']);

export class StixSchemas {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false }) // OASIS's patterns escape '-' (invalid under the u flag);
  readonly count: number;
  private readonly byType = new Map<string, ValidateFunction>();
  private readonly bundle: ValidateFunction;

  constructor() {
    addFormats(this.ajv);
    const files = schemaFiles();
    for (const file of files) this.ajv.addSchema(JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as object);
    this.count = files.length;
    for (const file of files) {
      const type = path.basename(file, '.json');
      const schema = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as { $id: string };
      this.byType.set(type, this.ajv.getSchema(schema.$id)!);
    }
    this.bundle = this.byType.get('bundle')!;
  }

  /** Every problem: the bundle's, then each object's against its type's schema (a type without one is a problem too). */
  problems(bundle: unknown): string[] {
    const out: string[] = [];
    const objects = (bundle as { objects?: { type: string }[] }).objects ?? [];
    const listed = { ...(bundle as object), objects: objects.filter((o) => !UNLISTED.has(o.type)) };
    if (!this.bundle(listed)) out.push(...(this.bundle.errors ?? []).map((e) => `bundle${e.instancePath}: ${e.message}`));
    for (const object of (bundle as { objects?: { type: string; id: string }[] }).objects ?? []) {
      const validate = this.byType.get(object.type);
      if (!validate) out.push(`${object.id}: no schema for type ${object.type}`);
      else if (!validate(object)) out.push(...(validate.errors ?? []).map((e) => `${object.id}${e.instancePath}: ${e.message}`));
    }
    return out;
  }
}
