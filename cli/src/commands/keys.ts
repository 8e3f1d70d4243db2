/** `rampart keys init` and `rampart token`: a local signing key and dev tokens for it. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CLEARANCES, generateSigningKey, isClearance, isRole, mintToken, ROLES, type Role } from '@rampart/auth';
import { DEFAULT_KEY_DIR } from '../context';

export function registerKeyCommands(program: Command): void {
  program
    .command('keys')
    .description('manage the local development signing key')
    .command('init')
    .option('--dir <dir>', 'where to keep the keys', DEFAULT_KEY_DIR)
    .option('--kid <kid>', 'key id', `dev-${new Date().toISOString().slice(0, 10)}`)
    .option('--force', 'replace an existing key')
    .action(async (opts: { dir: string; kid: string; force?: boolean }) => {
      const privateFile = path.join(opts.dir, 'private.jwk.json');
      if (existsSync(privateFile) && !opts.force) {
        process.stdout.write(`key exists: ${privateFile} (use --force to replace)\n`);
        return;
      }
      const key = await generateSigningKey(opts.kid);
      mkdirSync(opts.dir, { recursive: true });
      writeFileSync(privateFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
      writeFileSync(path.join(opts.dir, 'jwks.json'), JSON.stringify(key.publicJwks, null, 2));
      process.stdout.write(`wrote ${privateFile} and ${path.join(opts.dir, 'jwks.json')} (give services AUTH_JWKS_FILE=${path.join(opts.dir, 'jwks.json')})\n`);
    });

  program
    .command('token')
    .description('mint a development token signed with the local key')
    .requiredOption('--role <role...>', `one or more of: ${ROLES.join(', ')}`)
    .requiredOption('--org <organization>', 'the caller organisation')
    .option('--sub <subject>', 'the caller (default <role>@<org>)')
    .option('--clearance <level>', CLEARANCES.join(' < '), 'UNCLASSIFIED')
    .option('--agency <agency>', 'for consultees: the agency they answer for')
    .option('--ttl <span>', 'lifetime, e.g. 1h', '1h')
    .option('--dir <dir>', 'where the key is', DEFAULT_KEY_DIR)
    .action(async (opts: { role: string[]; org: string; sub?: string; clearance: string; agency?: string; ttl: string; dir: string }) => {
      const bad = opts.role.filter((r) => !isRole(r));
      if (bad.length > 0) throw new Error(`unknown role(s): ${bad.join(', ')}`);
      if (!isClearance(opts.clearance)) throw new Error(`clearance must be one of ${CLEARANCES.join(', ')}`);
      const privateJwk = JSON.parse(readFileSync(path.join(opts.dir, 'private.jwk.json'), 'utf8')) as Parameters<typeof mintToken>[0];
      const token = await mintToken(privateJwk, {
        subject: opts.sub ?? `${opts.role[0]}@${opts.org}`,
        organization: opts.org,
        roles: opts.role as Role[],
        clearance: opts.clearance,
        ...(opts.agency ? { agency: opts.agency } : {}),
      }, { issuer: process.env.AUTH_ISSUER ?? 'rampart-dev', audience: process.env.AUTH_AUDIENCE ?? 'rampart', expiresIn: opts.ttl });
      process.stdout.write(`${token}\n`);
    });
}
