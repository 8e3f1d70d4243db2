/**
 * A request with a huge number of bad repeated elements gets at most MAX_VIOLATIONS field violations
 * back, plus one that says how many more, over real gRPC; and the service goes on serving.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer, callUnary, fieldViolationsOf, insecure } from '@rampart/grpc-kit';
import { designationV1, intakeV1 } from '@rampart/proto';
import { isServing, NatsServer, ServiceProcess, sharedServers, TestAuth, uniqueDatabase } from '@rampart/testing';

const BAD = 200_000;
const CAP = 100;
const DAY = 86_400_000;

let nats: NatsServer;
let auth: TestAuth;
let intake: ServiceProcess;
let designation: ServiceProcess;
let intakeClient: intakeV1.IntakeServiceClient;
let designationClient: designationV1.DesignationServiceClient;

beforeAll(async () => {
  const servers = sharedServers();
  nats = await NatsServer.start();
  auth = await TestAuth.create();
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: uniqueDatabase('violations'), OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint };
  intake = await ServiceProcess.start('intake', env);
  designation = await ServiceProcess.start('designation', env);
  intakeClient = new intakeV1.IntakeServiceClient(intake.address, insecure());
  designationClient = new designationV1.DesignationServiceClient(designation.address, insecure());
}, 120_000);

afterAll(async () => {
  intakeClient?.close();
  designationClient?.close();
  await designation?.stop();
  await intake?.stop();
  await nats?.stop();
});

async function rejection(call: Promise<unknown>): Promise<ServiceError> {
  const error = await call.then(() => undefined, (e: ServiceError) => e);
  if (!error) throw new Error('the call succeeded');
  return error;
}

/** INVALID_ARGUMENT, not a response too large to arrive (the client then sees INTERNAL, "Protocol error"). */
function expectInvalidArgument(error: ServiceError): void {
  expect({ code: error.code, details: error.code === status.INVALID_ARGUMENT ? 'bad input' : error.details }).toEqual({ code: status.INVALID_ARGUMENT, details: 'bad input' });
}

/** At most CAP violations as found, then one for the request as a whole saying how many more. */
function expectCapped(error: ServiceError, total: number, field: RegExp): void {
  expectInvalidArgument(error);
  const violations = fieldViolationsOf(error.metadata);
  expect(violations).toHaveLength(CAP + 1);
  for (const v of violations.slice(0, CAP)) expect(v.field).toMatch(field);
  expect(violations[CAP]).toEqual({ field: '', description: `and ${total - CAP} more violations` });
  expect(error.details).toMatch(new RegExp(`; and ${total - CAP} more violations$`));
  expect(error.details.length).toBeLessThan(64 * 1024);
}

it('caps the violations of a threshold policy with hundreds of bad thresholds', async () => {
  const admin = await auth.token({ roles: ['policy-admin'], organization: 'nsa', clearance: 'SECRET' });
  // Four rules (one per domain, the most allowed), each with 50 thresholds lacking metric,
  // comparison and a finite value: 4 x 50 x 3 violations, and required_domains is empty.
  const bad = Array.from({ length: 50 }, () => ({ metric: '', comparison: 0, value: Number.NaN }));
  const domains = [1, 2, 3, 4] as designationV1.CapabilityDomain[];
  const request = { expectedVersion: 0, requiredDomains: [], rules: domains.map((domain) => ({ domain, atOrAbove: bad, cannotRuleOut: [] })) };
  const error = await rejection(callUnary(designationClient, designationV1, 'putThresholdPolicy', request, bearer(admin)));
  expectCapped(error, 4 * 50 * 3 + 1, /^rules\[\d+\]\.at_or_above\[\d+\]\.(metric|comparison|value)$/);

  expect(await isServing(designation.address)).toBe(true);
  const response = await callUnary<designationV1.ListCasesResponse>(designationClient, designationV1, 'listCases', {}, bearer(await auth.token({ roles: ['auditor'], organization: 'oig', clearance: 'SECRET' })));
  expect(response.cases).toEqual([]);
});

it('refuses a huge list of rules whole, unread, in one violation', async () => {
  const admin = await auth.token({ roles: ['policy-admin'], organization: 'nsa', clearance: 'SECRET' });
  const request = { expectedVersion: 0, requiredDomains: [], rules: Array.from({ length: BAD }, () => ({ atOrAbove: [], cannotRuleOut: [] })) };
  const error = await rejection(callUnary(designationClient, designationV1, 'putThresholdPolicy', request, bearer(admin)));
  expectInvalidArgument(error);
  expect(fieldViolationsOf(error.metadata)).toEqual([{ field: 'rules', description: 'must have at most 4 entries (one per capability domain)' }]);
  expect(await isServing(designation.address)).toBe(true);
});

it('answers a submission with a huge number of bad modalities in a few violations, checking only as many as there are modalities', async () => {
  const developer = await auth.developer('acme');
  const request = {
    idempotencyKey: 'many-modalities',
    details: {
      modelName: 'Atlas', modelVersion: '5', description: 'frontier model', modalities: Array.from({ length: BAD }, () => 99 as intakeV1.Modality),
      intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY), intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
      pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
    },
  };
  const error = await rejection(callUnary(intakeClient, intakeV1, 'submitModel', request, bearer(developer)));
  expectInvalidArgument(error);
  const violations = fieldViolationsOf(error.metadata);
  expect(violations.length).toBeLessThanOrEqual(CAP + 1);
  expect(violations).toContainEqual({ field: 'details.modalities', description: 'must have at most 6 entries' });

  expect(await isServing(intake.address)).toBe(true);
  const response = await callUnary<intakeV1.ListSubmissionsResponse>(intakeClient, intakeV1, 'listSubmissions', {}, bearer(developer));
  expect(response.submissions).toEqual([]);
});
