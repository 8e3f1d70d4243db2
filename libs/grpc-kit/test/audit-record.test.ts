/** What the kit puts in an audit record from a request and an answer: ids and withheld field paths, never values. */
import { actionOf, collectIds, MAX_IDS, withheldFieldsOf } from '@rampart/grpc-kit';

describe('audit record contents', () => {
  it('collects the withheld fields of every message in an answer, each with its path', () => {
    const answer = {
      cases: [
        { id: 'c1', redactedFields: ['determinations', 'decision.rationale'] },
        { id: 'c2', redactedFields: [] },
        { id: 'c3', redactedFields: ['policyVersion'], evidence: [{ id: 'e1', redactedFields: ['metrics'] }] },
      ],
      nextPageToken: '',
    };
    expect(withheldFieldsOf(answer)).toEqual(['cases[0].determinations', 'cases[0].decision.rationale', 'cases[2].policyVersion', 'cases[2].evidence[0].metrics']);
    expect(withheldFieldsOf({ redactedFields: ['sha256'] })).toEqual(['sha256']);
  });

  it('collects the ids a request names and the ids an answer returns, not other values', () => {
    const asked = new Set<string>();
    collectIds({ submissionId: 's1', idempotencyKey: 'secret-key', header: { caseId: 'c1', comments: 'x' }, chunk: Buffer.from('id') }, asked, true);
    expect([...asked]).toEqual(['s1', 'c1']);
    const returned = new Set<string>();
    collectIds({ submission: { id: 's1', organization: 'acme', details: { modelName: 'Atlas' } }, caseId: 'not-an-entity-of-the-answer' }, returned, false);
    expect([...returned]).toEqual(['s1']);
  });

  it('records an oversized or odd id a client sent by its size only, so no call can bloat the trail', () => {
    const ids = new Set<string>();
    collectIds({ caseId: 'x'.repeat(8 * 1024 * 1024), submissionId: 'bad\u0001id', programId: '0190d3c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6' }, ids, true);
    expect([...ids]).toEqual(['<not an id: 8388608 bytes>', '<not an id: 6 bytes>', '0190d3c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6']);
  });

  it('caps the ids', () => {
    const ids = new Set<string>();
    collectIds({ items: Array.from({ length: 500 }, (_, i) => ({ id: `i${i}` })) }, ids, false);
    expect(ids.size).toBe(MAX_IDS);
  });

  it('stops walking a message once it has the most ids it keeps', () => {
    let looked = 0;
    // Each item past the cap counts the times it is looked into.
    const watched = () => new Proxy({ id: 'late' }, { ownKeys: (target) => (looked++, Reflect.ownKeys(target)) });
    const message = { items: [...Array.from({ length: MAX_IDS }, (_, i) => ({ id: `i${i}` })), ...Array.from({ length: 10_000 }, watched)] };
    const ids = new Set<string>();
    collectIds(message, ids, false);
    expect(ids.size).toBe(MAX_IDS);
    expect(looked).toBe(0);
    // A streamed request's later messages are not walked at all once the cap is reached.
    collectIds({ items: [watched()] }, ids, false);
    expect(looked).toBe(0);
  });

  it('calls Get and List reads, everything else a change', () => {
    expect(['GetCase', 'ListSubmissions', 'SubmitModel', 'ReleaseAssessment', 'Getaway'].map(actionOf)).toEqual(['read', 'read', 'change', 'change', 'change']);
  });
});
