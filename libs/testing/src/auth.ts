/** Test identities: a signing key whose public set is written to a file services load. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, mintToken, type Clearance, type Role, type SigningKey, type TokenClaims } from '@rampart/auth';
import { tempDir } from './servers';

export const TEST_ISSUER = 'rampart-test';
export const TEST_AUDIENCE = 'rampart';

export class TestAuth {
  private constructor(
    readonly key: SigningKey,
    readonly jwksFile: string,
  ) {}

  static async create(kid = 'test-key-1'): Promise<TestAuth> {
    const key = await generateSigningKey(kid);
    const jwksFile = path.join(tempDir('jwks'), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(key.publicJwks));
    return new TestAuth(key, jwksFile);
  }

  /** Environment a service needs to verify these tokens. */
  get env(): Record<string, string> {
    return { AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_FILE: this.jwksFile };
  }

  token(claims: Partial<TokenClaims> & { roles: readonly Role[] }, expiresIn: string | number = '10m'): Promise<string> {
    return mintToken(this.key.privateJwk, {
      subject: claims.subject ?? `${claims.roles[0]}@${claims.organization ?? 'org'}`,
      organization: claims.organization ?? 'org',
      roles: claims.roles,
      clearance: claims.clearance ?? ('UNCLASSIFIED' satisfies Clearance),
      ...(claims.agency ? { agency: claims.agency } : {}),
    }, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, expiresIn });
  }

  developer(organization: string, subject = `dev@${organization}`): Promise<string> {
    return this.token({ roles: ['developer'], organization, subject });
  }
}
