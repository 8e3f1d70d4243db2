import fc from 'fast-check';
import { developerSubject, isSubjectToken, operatorSubject, subjectToken } from '@rampart/auth';

const TAIL = 'designation.assessment.released';

describe('organisation and operator ids as NATS subject tokens', () => {
  it.each(['a.b', 'a*', 'a>', '*', '>', 'a b', '', ' ', 'a\n', 'ä', 'x'.repeat(65)])('refuses %j', (id) => {
    expect(isSubjectToken(id)).toBe(false);
    expect(() => developerSubject(id, TAIL)).toThrow(/not a NATS subject token/);
    expect(() => operatorSubject(id, 'clearinghouse.notification.issued')).toThrow(/operator id/);
  });

  it('keeps a safe id exactly as it is: a_b is a_b, and a.b never becomes it', () => {
    expect(developerSubject('a_b', TAIL)).toBe('rampart.developer.a_b.designation.assessment.released');
    expect(operatorSubject('op-7', 'clearinghouse.notification.issued')).toBe('rampart.operator.op-7.clearinghouse.notification.issued');
    expect(subjectToken('a_b')).toBe('a_b');
    expect(() => subjectToken('a.b')).toThrow();
  });

  it('maps ids one to one: an accepted id is its own single token, so two ids never share a subject', () => {
    fc.assert(fc.property(fc.string({ maxLength: 70 }), fc.string({ maxLength: 70 }), (a, b) => {
      if (!isSubjectToken(a) || !isSubjectToken(b)) return;
      const [sa, sb] = [developerSubject(a, TAIL), developerSubject(b, TAIL)];
      expect(sa.split('.')).toEqual(['rampart', 'developer', a, ...TAIL.split('.')]);
      expect(sa === sb).toBe(a === b);
    }));
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), (id) => {
      expect(developerSubject(id, TAIL).split('.')[2]).toBe(id);
    }));
  });

  it('refuses a tail that is not <area>.<thing>.<verb>', () => {
    expect(() => developerSubject('acme', '>')).toThrow(/tail/);
    expect(() => developerSubject('acme', 'designation.*')).toThrow(/tail/);
  });
});
