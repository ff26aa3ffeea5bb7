/**
 * The differential harness over changing inputs: random INSERT, UPDATE, DELETE and upserts on tables
 * (and appends to push sources), with views caught up at random points (random
 * max_rows_per_batch, so several batches per catch-up); after each catch-up every view must equal
 * DuckDB's answer for its query over the tables and sources as they are now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Engine } from '../../src/engine/index.js';
import { int, pick, rng, type Random } from './differential.js';

/** A table of the case: `id` is its first column, unique when it is the primary key. */
export interface CaseTable {
  readonly ddl: string;
  /** The row with id `id` as a SQL tuple. */
  readonly row: (r: Random, id: number) => string;
  readonly primaryKey: boolean;
  /** An assignment list for UPDATE, e.g. `v = v + 3`. */
  readonly update: (r: Random) => string;
  /** Only INSERT (an APPEND ONLY table). */
  readonly appendOnly?: boolean;
}

export interface CaseSourceOfRows {
  readonly ddl: string;
  /** The i-th row appended; for a keyed source, a row whose key is `i`. */
  readonly row: (r: Random, i: number) => string;
  /** A source with a PRIMARY KEY `id`: rows upsert by key (ids repeat), and DELETE deletes by key. */
  readonly keyed?: boolean;
}

export interface TableViewCase {
  readonly tables: Readonly<Record<string, CaseTable>>;
  readonly sources?: Readonly<Record<string, CaseSourceOfRows>>;
  /** Views created after the first statements (so they start from a snapshot), by name. */
  readonly views: Readonly<Record<string, { readonly query: string; readonly batchQuery?: string }>>;
  readonly seed: number;
  readonly steps?: number;
}

export interface TableViewReport {
  readonly checks: number;
  readonly statements: number;
  readonly mismatch: { readonly view: string; readonly step: number; readonly got: string[]; readonly want: string[]; readonly log: readonly string[] } | null;
}

function canonical(row: readonly unknown[]): string {
  return JSON.stringify(row.map((v) => {
    if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(9));
    if (typeof v === 'bigint') return v.toString();
    return v;
  }));
}

const sorted = (rows: readonly (readonly unknown[])[]): string[] => rows.map(canonical).sort();

/** One random statement on a table. */
function statement(r: Random, name: string, table: CaseTable, nextId: () => number, maxId: number): string {
  const rows = (n: number, fresh: boolean) => {
    // an upsert may not touch one key twice: distinct ids, old ones and sometimes a new one
    const chosen = new Set<number>();
    for (let k = 0; k < n; k++) chosen.add(fresh || maxId === 0 || r() < 0.2 ? nextId() : int(r, 1, maxId));
    return [...chosen].map((id) => table.row(r, id)).join(', ');
  };
  const kinds = table.appendOnly ? ['insert'] : table.primaryKey ? ['insert', 'insert', 'update', 'delete', 'upsert', 'replace'] : ['insert', 'insert', 'update', 'delete'];
  const m = int(r, 2, 5);
  const where = `id % ${m} = ${int(r, 0, m - 1)}${r() < 0.5 ? ` AND id > ${int(r, 0, Math.max(1, maxId))}` : ''}`;
  switch (pick(r, kinds)) {
    case 'update':
      return `UPDATE ${name} SET ${table.update(r)} WHERE ${where}`;
    case 'delete':
      return `DELETE FROM ${name} WHERE ${where}`;
    case 'upsert':
      return `INSERT INTO ${name} VALUES ${rows(int(r, 1, 4), false)} ON CONFLICT (id) DO UPDATE SET ${table.update(r)}`;
    case 'replace':
      return `INSERT OR REPLACE INTO ${name} VALUES ${rows(int(r, 1, 3), false)}`;
    default:
      return `INSERT INTO ${name} VALUES ${rows(int(r, 1, 6), true)}`;
  }
}

export async function runTableViews(c: TableViewCase): Promise<TableViewReport> {
  const r = rng(c.seed);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-table-diff-'));
  const engine = await Engine.open({ dataDir: dir });
  const log: string[] = [];
  const run = async (sql: string) => {
    log.push(sql);
    try {
      return await engine.execute(sql);
    } catch (e) {
      throw new Error(`${sql}: ${(e as Error).message}`, { cause: e });
    }
  };
  try {
    for (const table of Object.values(c.tables)) await run(table.ddl);
    for (const source of Object.values(c.sources ?? {})) await run(source.ddl);
    const ids = new Map(Object.keys(c.tables).map((n) => [n, 0]));
    const sourceRows = new Map(Object.keys(c.sources ?? {}).map((n) => [n, 0]));
    let statements = 0;
    const randomStatement = async () => {
      const sourceNames = Object.keys(c.sources ?? {});
      if (sourceNames.length > 0 && r() < 0.3) {
        const name = pick(r, sourceNames);
        const source = c.sources![name]!;
        const n = int(r, 1, 5);
        if (source.keyed && r() < 0.3) {
          const m = int(r, 2, 5);
          await run(`DELETE FROM ${name} WHERE id % ${m} = ${int(r, 0, m - 1)}`);
        } else {
          const tuples = Array.from({ length: n }, () => {
            const i = sourceRows.get(name)!;
            sourceRows.set(name, i + 1);
            // a keyed source's rows reuse keys: most are upserts of keys seen before
            return source.row(r, source.keyed ? int(r, 1, Math.max(1, Math.min(i, 15))) : i);
          });
          await run(`INSERT INTO ${name} VALUES ${tuples.join(', ')}`);
        }
      } else {
        const name = pick(r, Object.keys(c.tables));
        const next = () => {
          const id = ids.get(name)! + 1;
          ids.set(name, id);
          return id;
        };
        await run(statement(r, name, c.tables[name]!, next, ids.get(name)!));
      }
      statements++;
    };
    // rows before the views exist: they start from the tables' contents
    for (let i = int(r, 0, 4); i > 0; i--) await randomStatement();
    for (const [name, view] of Object.entries(c.views)) {
      const maxRows = r() < 0.5 ? int(r, 1, 3) : null;
      await run(`CREATE MATERIALIZED VIEW ${name}${maxRows === null ? '' : ` WITH (max_rows_per_batch = ${maxRows})`} AS ${view.query}`);
    }
    let checks = 0;
    for (let step = 0; step < (c.steps ?? 10); step++) {
      for (let i = int(r, 1, 4); i > 0; i--) await randomStatement();
      if (r() < 0.25) continue; // several statements' changes in one catch-up
      await engine.drain();
      for (const [name, view] of Object.entries(c.views)) {
        const [got] = await engine.execute(`SELECT * FROM ${name}`);
        const [want] = await engine.execute(view.batchQuery ?? view.query);
        checks++;
        const g = sorted(got!.rows);
        const w = sorted(want!.rows);
        if (JSON.stringify(g) !== JSON.stringify(w)) return { checks, statements, mismatch: { view: name, step, got: g, want: w, log } };
      }
    }
    return { checks, statements, mismatch: null };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One tap test per case, each run with every seed; a mismatch fails the case with the views' rows and the last statements. */
export function testTableViewCases(t: Test, cases: Readonly<Record<string, Omit<TableViewCase, 'seed'>>>, seeds: readonly number[] = [1, 2, 3]): void {
  for (const [name, c] of Object.entries(cases)) {
    t.test(name, async (t) => {
      for (const seed of seeds) {
        const report = await runTableViews({ ...c, seed });
        if (report.mismatch) {
          t.fail(`seed ${seed}: view ${report.mismatch.view} differs at step ${report.mismatch.step}`, {
            got: report.mismatch.got, want: report.mismatch.want, statements: report.mismatch.log.slice(-12),
          });
          return;
        }
        t.ok(report.checks > 0, `seed ${seed}: ${report.checks} checks over ${report.statements} statements`);
      }
    });
  }
}
