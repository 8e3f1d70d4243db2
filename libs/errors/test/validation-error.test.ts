import { MAX_VIOLATIONS, ValidationError, type FieldViolation } from '@rampart/errors';

const many = (n: number): FieldViolation[] => Array.from({ length: n }, (_, i) => ({ field: `items[${i}]`, description: 'is bad' }));

describe('ValidationError', () => {
  it('keeps every violation up to the cap', () => {
    const error = new ValidationError(many(MAX_VIOLATIONS));
    expect(error.violations).toHaveLength(MAX_VIOLATIONS);
    expect(error.total).toBe(MAX_VIOLATIONS);
    expect(error.message).not.toMatch(/more/);
  });

  it('keeps the first 100 of a million and says how many more, in the violations and the message', () => {
    const error = new ValidationError(many(1_000_000));
    expect(MAX_VIOLATIONS).toBe(100);
    expect(error.violations).toHaveLength(101);
    expect(error.violations[99]).toEqual({ field: 'items[99]', description: 'is bad' });
    expect(error.violations[100]).toEqual({ field: '', description: 'and 999900 more violations' });
    expect(error.total).toBe(1_000_000);
    expect(error.message).toMatch(/^items\[0\]: is bad; .*items\[99\]: is bad; and 999900 more violations$/);
    expect(error.message.length).toBeLessThan(4_000);
  });

  it('bounds each field and description, whatever the input echoed into them', () => {
    const [v] = new ValidationError([{ field: 'f'.repeat(10_000), description: 'd'.repeat(100_000) }]).violations;
    expect(v!.field.length).toBeLessThanOrEqual(200);
    expect(v!.description.length).toBeLessThanOrEqual(500);
  });
});
