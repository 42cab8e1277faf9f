import { InputError } from '../../src/errors.ts';

/** The lines of the InputError `fn` throws; fails the test if it throws nothing or something else. */
export function inputErrorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected an InputError');
}
