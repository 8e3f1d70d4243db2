import { textField, uuidField, type FieldViolation } from '@rampart/errors';

describe('field rules', () => {
  it('trims text and reports required, length and control characters by field', () => {
    const out: FieldViolation[] = [];
    expect(textField(out, 'a', '  ok  ', 10)).toBe('ok');
    textField(out, 'b', '   ', 10);
    textField(out, 'c', undefined, 10, false);
    textField(out, 'd', 'x'.repeat(11), 10);
    textField(out, 'e', 'nul\u0000', 10);
    expect(textField(out, 'f', 'line\nnext\ttab', 20)).toBe('line\nnext\ttab');
    expect(out.map((v) => v.field)).toEqual(['b', 'd', 'e']);
  });

  it('accepts lowercase UUIDs only', () => {
    const out: FieldViolation[] = [];
    uuidField(out, 'id', '0193b0a8-7c1e-7000-8000-000000000000', 'an id');
    uuidField(out, 'id', '0193B0A8-7C1E-7000-8000-000000000000', 'an id');
    uuidField(out, 'id', '', 'an id');
    expect(out).toEqual([{ field: 'id', description: 'must be an id (a lowercase UUID)' }, { field: 'id', description: 'is required' }]);
  });
});
