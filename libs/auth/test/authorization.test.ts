import { NotFoundError, PermissionDeniedError } from '@rampart/errors';
import { authorize, inScope, rpcName, type AuthorizationTable, type Caller } from '../src';

const TABLE: AuthorizationTable<'readThing' | 'writeThing' | 'sealed'> = {
  service: 'rampart.test.v1.TestService',
  reasoning: 'a table for the tests',
  rpcs: {
    readThing: {
      why: 'owners and cleared auditors',
      grants: [{ role: 'developer', scope: 'own', clearance: 'UNCLASSIFIED' }, { role: 'auditor', scope: 'any', clearance: 'SECRET' }],
    },
    writeThing: { why: 'owners only', grants: [{ role: 'developer', scope: 'own', clearance: 'CUI' }] },
    sealed: { why: 'nobody', grants: [] },
  },
};

const caller = (roles: Caller['roles'], clearance: Caller['clearance'] = 'UNCLASSIFIED', organization = 'acme'): Caller => ({ subject: 's', organization, roles, clearance });
const denied = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PermissionDeniedError);
    return (error as Error).message;
  }
  throw new Error('was not refused');
};

describe('authorize', () => {
  it('grants own-scope callers their organisation and any-scope callers every organisation', () => {
    expect(authorize(TABLE, 'readThing', caller(['developer']))).toEqual({ grant: TABLE.rpcs.readThing.grants[0], organization: 'acme' });
    expect(authorize(TABLE, 'readThing', caller(['auditor'], 'TOP_SECRET', 'oig'))).toEqual({ grant: TABLE.rpcs.readThing.grants[1], organization: undefined });
  });

  it('refuses a role the RPC does not grant, naming the roles that may call', () => {
    expect(denied(() => authorize(TABLE, 'readThing', caller(['evaluator', 'partner'], 'TOP_SECRET')))).toBe('ReadThing requires one of the roles: developer, auditor');
    expect(denied(() => authorize(TABLE, 'sealed', caller(['auditor'], 'TOP_SECRET')))).toBe('Sealed is not open to any caller');
  });

  it('refuses a granted role below its clearance, naming the lowest clearance that would do', () => {
    expect(denied(() => authorize(TABLE, 'readThing', caller(['auditor'], 'CUI')))).toBe('ReadThing requires clearance SECRET or higher');
    expect(denied(() => authorize(TABLE, 'writeThing', caller(['developer'], 'UNCLASSIFIED')))).toBe('WriteThing requires clearance CUI or higher');
  });

  it('gives a caller with several roles the broadest scope its clearance allows', () => {
    expect(authorize(TABLE, 'readThing', caller(['developer', 'auditor'], 'SECRET')).organization).toBeUndefined();
    expect(authorize(TABLE, 'readThing', caller(['developer', 'auditor'], 'CUI')).organization).toBe('acme');
  });

  it('treats an RPC missing from the table as a bug, not as a refusal', () => {
    expect(() => authorize(TABLE, 'other' as never, caller(['developer']))).toThrow('rampart.test.v1.TestService has no authorization rule for other');
  });
});

describe('inScope', () => {
  const own = authorize(TABLE, 'readThing', caller(['developer']));
  const any = authorize(TABLE, 'readThing', caller(['auditor'], 'SECRET', 'oig'));
  const thing = { id: 't1', organization: 'acme' };
  const foreign = { id: 't2', organization: 'globex' };

  it("answers another organisation's entity exactly as a missing one", () => {
    expect(inScope(own, thing, 'thing t1 not found')).toBe(thing);
    const errors = [() => inScope(own, foreign, 'thing x not found'), () => inScope(own, undefined, 'thing x not found')].map((fn) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    });
    for (const error of errors) expect(error).toBeInstanceOf(NotFoundError);
    expect((errors[0] as Error).message).toBe((errors[1] as Error).message);
  });

  it('lets any-scope callers see every organisation, and still reports missing entities', () => {
    expect(inScope(any, foreign, 'x')).toBe(foreign);
    expect(() => inScope(any, undefined, 'thing x not found')).toThrow(NotFoundError);
  });
});

it('names RPCs as the proto does', () => {
  expect(rpcName('getReleasableAssessment')).toBe('GetReleasableAssessment');
});
