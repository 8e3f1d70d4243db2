import { highestMarking, mapMarked, marked, markEach, redact } from '../src/markings';

describe('marked values and redaction', () => {
  it('derives the highest marking (UNCLASSIFIED of nothing)', () => {
    expect(highestMarking()).toBe('UNCLASSIFIED');
    expect(highestMarking('SECRET', 'CUI', 'TOP_SECRET', 'SECRET')).toBe('TOP_SECRET');
    expect(highestMarking('CUI', 'UNCLASSIFIED')).toBe('CUI');
  });

  it('withholds what is marked above the clearance, naming its path; plain values inherit the marking around them', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const record = {
      id: marked('CUI', 'c1'),
      inner: marked('SECRET', { plain: 1, deeper: marked('TOP_SECRET', 'x') }),
      list: [{ keep: marked('CUI', at), drop: marked('SECRET', 2) }],
      items: [marked('CUI', 'a'), marked('TOP_SECRET', 'b')],
    };
    expect(redact(record, 'CUI')).toEqual({ value: { id: 'c1', list: [{ keep: at }], items: ['a'] }, redactedFields: ['inner', 'list.drop', 'items'] });
    expect(redact(record, 'SECRET')).toEqual({ value: { id: 'c1', inner: { plain: 1 }, list: [{ keep: at, drop: 2 }], items: ['a'] }, redactedFields: ['inner.deeper', 'items'] });
    expect(redact(record, 'TOP_SECRET').redactedFields).toEqual([]);
    expect(redact(record, 'UNCLASSIFIED').value).toEqual({ list: [{}], items: [] });
  });

  it('names a withheld slot whether or not it holds a value, so the list tells nothing about it', () => {
    const fields = markEach('SECRET', { notes: undefined as string | undefined, score: 0.5 });
    expect(redact(fields, 'CUI')).toEqual({ value: {}, redactedFields: ['notes', 'score'] });
    expect(redact(fields, 'SECRET').value).toEqual({ notes: undefined, score: 0.5 });
  });

  it('keeps a projection at the marking of what it projects, and leaves the record as it was', () => {
    const source = marked('SECRET', { level: 'high', score: 0.9 });
    const projected = mapMarked(source, (v) => ({ level: v.level }));
    expect(projected.marking).toBe('SECRET');
    expect(redact({ p: projected }, 'CUI').value).toEqual({});
    expect(source.value).toEqual({ level: 'high', score: 0.9 });
  });
});
