/**
 * Locations of the shipped datasets and configs, resolved from the package root (never from the
 * working directory), so `atlas reproduce` works from anywhere.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root (the folder holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of a shipped file, relative to the package root. */
export function shipped(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
