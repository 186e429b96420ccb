/**
 * The problems of the InputError a call throws (FILE:LINE messages), for tests of bad input; the
 * test fails when the call throws anything else or nothing.
 */
import { expect } from 'vitest';
import { InputError } from '../../pipeline/io/types.ts';

export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}

export async function problemsOfAsync(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}
