/** docs/authorization.md is generated from the services' tables; this fails when it is stale. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { authorizationDoc, type AuthorizationTable } from '../src';

const ROOT = path.resolve(__dirname, '../../..');

it("docs/authorization.md is what the services' tables give (regenerate: pnpm run docs:authorization)", async () => {
  // Every service that keeps its table where the convention says, as docs/authorization-doc.mjs finds them.
  const files = readdirSync(path.join(ROOT, 'services'))
    .sort()
    .map((service) => path.join(ROOT, 'services', service, 'src/domain/authorization.ts'))
    .filter((file) => existsSync(file));
  const tables: AuthorizationTable[] = [];
  for (const file of files) tables.push(((await import(file)) as { AUTHORIZATION: AuthorizationTable }).AUTHORIZATION);
  expect(tables.map((t) => t.service)).toEqual(expect.arrayContaining(['rampart.intake.v1.IntakeService', 'rampart.designation.v1.DesignationService']));
  expect(readFileSync(path.join(ROOT, 'docs/authorization.md'), 'utf8')).toBe(authorizationDoc(tables));
});
