import { backoffDelay, createEvent, eventType, natsSubject, parseEvent, PoisonMessageError, revisionOf, withOutbox } from '@rampart/events';

describe('CloudEvents envelope', () => {
  const name = { area: 'intake', thing: 'submission', verb: 'received' };

  it('names subjects and types as DESIGN.md says', () => {
    expect(natsSubject(name)).toBe('rampart.intake.submission.received');
    expect(eventType(name)).toBe('rampart.intake.submission.received.v1');
    const event = createEvent(name, 'sub-1', { revision: 1 }, new Date('2026-11-22T00:00:00Z'));
    expect(event).toMatchObject({ specversion: '1.0', source: '/rampart/intake', subject: 'sub-1', time: '2026-11-22T00:00:00.000Z', datacontenttype: 'application/json', data: { revision: 1 } });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('round-trips and treats malformed messages as poison', () => {
    const event = createEvent(name, 'sub-1', { revision: 3 });
    const parsed = parseEvent(Buffer.from(JSON.stringify(event)));
    expect(revisionOf(parsed)).toBe(3);
    expect(() => parseEvent(Buffer.from('not json'))).toThrow(PoisonMessageError);
    expect(() => parseEvent(Buffer.from('{"specversion":"0.3"}'))).toThrow(/specversion/);
    expect(() => parseEvent(Buffer.from(JSON.stringify({ ...event, subject: '' })))).toThrow(/subject/);
    expect(() => revisionOf({ ...event, data: {} })).toThrow(/revision/);
  });

  it('adds outbox entries to an update without losing its own operators', () => {
    const at = new Date();
    const update = withOutbox({ $set: { a: 1 }, $push: { history: 1 } }, [{ id: 'e', subject: 's', payload: '{}', createdAt: at }]);
    expect(update).toEqual({ $set: { a: 1 }, $push: { history: 1, outbox: { $each: [{ id: 'e', subject: 's', payload: '{}', createdAt: at }] } } });
  });

  it('backs off exponentially within its cap', () => {
    for (let attempt = 1; attempt < 20; attempt++) {
      const d = backoffDelay(attempt, 100, 5_000);
      expect(d).toBeGreaterThanOrEqual(Math.min(5_000, 100 * 2 ** (attempt - 1)) / 2);
      expect(d).toBeLessThanOrEqual(5_000);
    }
  });
});
