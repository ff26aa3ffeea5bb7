/**
 * The differential harness: feed random rows to push sources in random chunks, let a materialized
 * view catch up after each chunk (sometimes in several batches, via max_rows_per_batch), and check
 * that the view equals DuckDB's batch answer for the same SQL over all input so far.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.js';

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A source of the case: its DDL and a generator of one row as a SQL tuple `(1, 'a', ...)`. */
export interface CaseSource {
  readonly ddl: string;
  readonly row: (r: Random, i: number) => string;
}

export interface DifferentialCase {
  readonly sources: Readonly<Record<string, CaseSource>>;
  /** Tables and their rows (DDL + INSERTs), created before the view. */
  readonly setup?: string;
  readonly query: string;
  readonly seed?: number;
  /** Number of chunks fed (each followed by a drain and a check). */
  readonly steps?: number;
  readonly maxChunk?: number;
}

/** Canonical text of a row: numbers rounded to 9 significant digits (float sums depend on order). */
function canonical(row: readonly unknown[]): string {
  return JSON.stringify(row.map((v) => {
    if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(9));
    if (typeof v === 'bigint') return v.toString();
    return v;
  }));
}

function multiset(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map(canonical).sort();
}

export interface DifferentialReport {
  readonly checks: number;
  readonly rowsFed: number;
  readonly mismatch: { step: number; view: string[]; batch: string[] } | null;
}

export async function runDifferential(c: DifferentialCase): Promise<DifferentialReport> {
  const seed = c.seed ?? 1;
  const r = rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-diff-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    for (const source of Object.values(c.sources)) await engine.execute(source.ddl);
    if (c.setup) await engine.execute(c.setup);
    const maxRows = r() < 0.5 ? int(r, 1, 7) : null;
    const options = maxRows === null ? '' : ` WITH (max_rows_per_batch = ${maxRows})`;
    await engine.execute(`CREATE MATERIALIZED VIEW diff_mv${options} AS ${c.query}`);
    const names = Object.keys(c.sources);
    const counters = new Map(names.map((n) => [n, 0]));
    let checks = 0;
    let rowsFed = 0;
    for (let step = 0; step < (c.steps ?? 8); step++) {
      for (const name of names) {
        const n = int(r, 0, c.maxChunk ?? 12);
        if (n === 0) continue;
        const tuples: string[] = [];
        for (let k = 0; k < n; k++) {
          const i = counters.get(name)!;
          counters.set(name, i + 1);
          tuples.push(c.sources[name]!.row(r, i));
        }
        await engine.execute(`INSERT INTO ${name} VALUES ${tuples.join(', ')}`);
        rowsFed += n;
      }
      await engine.drain();
      const [view] = await engine.execute('SELECT * FROM diff_mv');
      const [batch] = await engine.execute(c.query);
      const v = multiset(view!.rows);
      const b = multiset(batch!.rows);
      checks++;
      if (JSON.stringify(v) !== JSON.stringify(b)) return { checks, rowsFed, mismatch: { step, view: v, batch: b } };
    }
    return { checks, rowsFed, mismatch: null };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
