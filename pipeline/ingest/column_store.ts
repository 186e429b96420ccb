/**
 * Column storage for the run table while it is built: growable typed-array columns kept in blocks,
 * strings and objects numbered in order of first appearance, and the copies that keep stored
 * strings from pinning the read chunks they were cut from.
 */

export type NumberArray = Float64Array | Int32Array | Uint8Array;

/** Rows per block of a {@link Column}, and the size its first block starts at. */
const BLOCK = 1 << 16;
const FIRST_BLOCK = 1024;

/**
 * A growable numeric column kept in blocks of {@link BLOCK} values: the first block doubles up to
 * that size (small tables stay small), later ones are added as they fill, so appending never
 * copies what is already stored. {@link take} copies the blocks once into an array of the exact
 * row count.
 */
export class Column<A extends NumberArray> {
  private current: A;
  private blocks: A[];
  private used = 0;
  length = 0;
  constructor(private readonly make: (n: number) => A) {
    this.current = make(FIRST_BLOCK);
    this.blocks = [this.current];
  }
  push(value: number): void {
    if (this.used === this.current.length) this.grow();
    this.current[this.used++] = value;
    this.length++;
  }
  private grow(): void {
    if (this.current.length < BLOCK) {
      const next = this.make(Math.min(this.current.length * 2, BLOCK));
      next.set(this.current);
      this.blocks[this.blocks.length - 1] = next;
      this.current = next;
    } else {
      this.current = this.make(BLOCK);
      this.blocks.push(this.current);
      this.used = 0;
    }
  }
  /** Every value in an array of exactly `length` elements; the column is left empty. */
  take(): A {
    const out = this.make(this.length);
    for (let b = 0; b < this.blocks.length; b++) {
      const start = b * BLOCK;
      const count = Math.min(this.length - start, this.blocks[b].length);
      if (count > 0) out.set(count === this.blocks[b].length ? this.blocks[b] : this.blocks[b].subarray(0, count), start);
    }
    this.current = this.make(FIRST_BLOCK);
    this.blocks = [this.current];
    this.used = 0;
    this.length = 0;
    return out;
  }
}

export const f64 = (n: number): Float64Array => new Float64Array(n);
export const i32 = (n: number): Int32Array => new Int32Array(n);
export const u8 = (n: number): Uint8Array => new Uint8Array(n);

/** The rows of `values` that `keep` marks (all of them without a mask), as a new array. */
export function select<A extends NumberArray>(values: A, keep: Uint8Array | null, rows: number, make: (n: number) => A): A {
  if (!keep) return values;
  const out = make(rows);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (keep[i]) out[j++] = values[i];
  return out;
}

/** Longest array allocated at its final length up front (V8 makes longer ones dictionaries). */
const PREALLOCATE_LIMIT = 1 << 24;

/**
 * A JS column from per-row codes: row i holds `values[codes[i] + offset]` (offset 1 lets code −1
 * stand for `values[0]`, e.g. null). The array is allocated at its final length (pushing would
 * leave up to half again as spare capacity) and filled completely.
 */
export function gather<T>(codes: Int32Array | Uint8Array, values: readonly T[], offset: number, keep: Uint8Array | null, rows: number): T[] {
  const out: T[] = rows <= PREALLOCATE_LIMIT ? new Array<T>(rows) : [];
  let j = 0;
  for (let i = 0; i < codes.length; i++) if (!keep || keep[i]) out[j++] = values[codes[i] + offset];
  return out;
}

/**
 * A copy of `value` that shares no memory with the text it was cut from. V8 keeps a substring's
 * parent alive (a field of a 1 MB read chunk holds the whole chunk), so every string that outlives
 * the parse (table values, cache keys, messages) is copied once, when it is first stored.
 */
export function detach(value: string): string {
  return value.length === 0 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

/** Strings numbered in order of first appearance, with a one-entry cache for runs of equal values. */
export class Indexer {
  private readonly map = new Map<string, number>();
  readonly names: string[] = [];
  private last: string | null = null;
  private lastIndex = -1;
  index(value: string): number {
    if (value === this.last) return this.lastIndex;
    let i = this.map.get(value);
    if (i === undefined) {
      const own = detach(value);
      i = this.names.length;
      this.map.set(own, i);
      this.names.push(own);
    }
    this.last = value;
    this.lastIndex = i;
    return i;
  }
  get size(): number {
    return this.names.length;
  }
}

/** Objects numbered in order of first appearance, with a one-entry cache. */
export class ObjectIndexer<T extends object> {
  private readonly map = new Map<T, number>();
  readonly values: T[] = [];
  private last: T | null = null;
  private lastIndex = -1;
  index(value: T): number {
    if (value === this.last) return this.lastIndex;
    let i = this.map.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.map.set(value, i);
      this.values.push(value);
    }
    this.last = value;
    this.lastIndex = i;
    return i;
  }
}

export class Interner {
  private readonly map = new Map<string, string>();
  get(value: string): string {
    const found = this.map.get(value);
    if (found !== undefined) return found;
    const own = detach(value);
    this.map.set(own, own);
    return own;
  }
}

