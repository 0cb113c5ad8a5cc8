import { InvalidInputError } from '../../src/errors.js';

/** The problems an invalid input is rejected with; fails the test when it is accepted. */
export function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the input to be rejected');
}
