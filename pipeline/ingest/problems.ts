/**
 * Collected ingest problems: every problem of every file is gathered and reported together as
 * `FILE:LINE: column: what is wrong` (an {@link InputError}; the CLI exits 2).
 */
import { InputError } from '../io/types.ts';
import { detach } from './column_store.ts';

/** Most problems listed in one error; the rest are counted. */
export const MAX_PROBLEMS = 50;

/** Collected problems: listed in file order, then line order (at most MAX_PROBLEMS, then a count). */
export class Problems {
  private readonly entries: { file: number; line: number; seq: number; text: string }[] = [];
  private readonly files = new Map<string, number>();
  count = 0;
  add(message: string): void {
    this.push(-1, 0, message);
  }
  at(file: string, line: number, column: string, message: string): void {
    let order = this.files.get(file);
    if (order === undefined) { order = this.files.size; this.files.set(file, order); }
    this.push(order, line, `${file}:${line}: ${column}: ${message}`);
  }
  private push(file: number, line: number, text: string): void {
    this.count++;
    if (this.entries.length < MAX_PROBLEMS) this.entries.push({ file, line, seq: this.count, text: detach(text) });
  }
  throwIfAny(): void {
    if (this.count === 0) return;
    const out = [...this.entries].sort((a, b) => a.file - b.file || a.line - b.line || a.seq - b.seq).map((e) => e.text);
    if (this.count > this.entries.length) out.push(`… and ${this.count - this.entries.length} more problems (${this.count} in all)`);
    throw new InputError(out);
  }
}

