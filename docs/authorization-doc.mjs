// Writes docs/authorization.md from every service's authorization table
// (services/<service>/src/domain/authorization.ts, exported as AUTHORIZATION), read from the built
// dist: `pnpm run docs:authorization` builds the services first. libs/auth/test/authorization-doc.test.ts
// fails when the committed page differs from what the tables give.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { authorizationDoc } = require(path.join(root, 'libs/auth/dist/index.js'));
const tables = readdirSync(path.join(root, 'services'))
  .sort()
  .map((service) => path.join(root, 'services', service, 'dist/domain/authorization.js'))
  .filter((file) => existsSync(file))
  .map((file) => require(file).AUTHORIZATION);
const out = path.join(root, 'docs/authorization.md');
writeFileSync(out, authorizationDoc(tables));
console.log(`wrote ${path.relative(root, out)} from ${tables.map((t) => t.service).join(', ')}`);
