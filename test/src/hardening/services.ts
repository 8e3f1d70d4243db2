/**
 * Every Rampart service, as the hardening tests see it: how to start it, a token that may make one
 * harmless call, and that call. A new service joins every hardening test by adding one entry here.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Metadata, type CallOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import { insecure } from '@rampart/grpc-kit';
import { accessV1, clearinghouseV1, designationV1, enforcementV1, intakeV1 } from '@rampart/proto';
import { tempDir, type TestAuth } from '@rampart/testing';

/** A client of one service that makes its harmless call. */
export interface HarmlessClient {
  /** `extra`: more metadata, e.g. a traceparent. */
  call(token: string, options: CallOptions, extra?: Record<string, string>): Promise<unknown>;
  close(): void;
}

export interface ServiceUnderTest {
  /** Its folder under services/. */
  name: string;
  /** Fully qualified gRPC service name. */
  grpcService: string;
  /** Extra environment the service needs. */
  env?: Record<string, string>;
  /** A valid token allowed to make the harmless call. */
  token(auth: TestAuth): Promise<string>;
  client(address: string): HarmlessClient;
}

type UnaryFn<Req> = (request: Req, metadata: Metadata, options: CallOptions, callback: (error: ServiceError | null, response?: unknown) => void) => unknown;

/** A read that is valid in any state of the service: its answer does not matter, only that it is OK. */
function harmless<C extends Client, Req>(Ctor: new (address: string, credentials: ReturnType<typeof insecure>) => C, method: keyof C & string, request: Req) {
  return (address: string): HarmlessClient => {
    const client = new Ctor(address, insecure());
    const fn = client[method] as unknown as UnaryFn<Req>;
    return {
      call(token, options, extra = {}) {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
        return new Promise((resolve, reject) => fn.call(client, request, metadata, options, (error, response) => (error ? reject(error) : resolve(response))));
      },
      close: () => client.close(),
    };
  };
}

export const SERVICES: ServiceUnderTest[] = [
  {
    name: 'intake',
    grpcService: 'rampart.intake.v1.IntakeService',
    token: (auth) => auth.developer('acme'),
    client: harmless(intakeV1.IntakeServiceClient, 'listSubmissions', intakeV1.ListSubmissionsRequest.fromPartial({})),
  },
  {
    name: 'designation',
    grpcService: 'rampart.designation.v1.DesignationService',
    token: (auth) => auth.token({ roles: ['designation-authority'], organization: 'nsa', clearance: 'TOP_SECRET' }),
    client: harmless(designationV1.DesignationServiceClient, 'listCases', designationV1.ListCasesRequest.fromPartial({})),
  },
  {
    name: 'early-access',
    grpcService: 'rampart.access.v1.EarlyAccessService',
    get env() {
      return { CREDENTIAL_KEYS_FILE: credentialKeysFile() };
    },
    token: (auth) => auth.token({ roles: ['access-officer'], organization: 'ostp', clearance: 'CUI' }),
    client: harmless(accessV1.EarlyAccessServiceClient, 'listPrograms', accessV1.ListProgramsRequest.fromPartial({})),
  },
  {
    name: 'clearinghouse',
    grpcService: 'rampart.clearinghouse.v1.ClearinghouseService',
    token: (auth) => auth.token({ roles: ['clearinghouse-analyst'], organization: 'treasury', clearance: 'CUI' }),
    client: harmless(clearinghouseV1.ClearinghouseServiceClient, 'listReports', clearinghouseV1.ListReportsRequest.fromPartial({})),
  },
  {
    name: 'enforcement',
    grpcService: 'rampart.enforcement.v1.EnforcementService',
    env: { CUSTODY_CHECKPOINT_KEY: randomBytes(32).toString('base64') },
    token: (auth) => auth.token({ roles: ['enforcement-analyst'], organization: 'doj', clearance: 'CUI' }),
    client: harmless(enforcementV1.EnforcementServiceClient, 'listReferrals', enforcementV1.ListReferralsRequest.fromPartial({})),
  },
];

/** Early access signs credentials with a key set of its own (an Ed25519 private JWK set). */
export function credentialKeysFile(): string {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const file = path.join(tempDir('access-keys'), 'credential-keys.json');
  writeFileSync(file, JSON.stringify({ keys: [{ ...jwk, kid: 'hardening', alg: 'EdDSA' }] }));
  return file;
}
