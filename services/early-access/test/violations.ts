/** The violations a rule refuses with, for the domain tests: anything but a ValidationError fails the test. */
import { ValidationError } from '@rampart/errors';

export function violationsOf(fn: () => unknown): { field: string; description: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.violations];
    throw error;
  }
  throw new Error('expected a ValidationError');
}
