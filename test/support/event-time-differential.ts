/**
 * The event-time differential harness: push sources with a watermark get rows out of order (event
 * times shuffled within a bound, a few far behind so that they are late), a materialized view with
 * late_rows = 'keep' catches up after each chunk (in random batches), and the view is compared with
 * DuckDB's batch answer over the rows that were not late (eddy_late_rows names those that were).
 * Rows carry a unique `id` so that late rows can be told apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.js';
import { int, rng, type Random } from './differential.js';

export interface EventTimeSource {
  /** Column definitions after `id BIGINT, ts TIMESTAMP`, e.g. `k BIGINT, v BIGINT`. */
  readonly columns: string;
  /** The values after id and ts of row i, e.g. `3, 17`. */
  readonly values: (r: Random, i: number) => string;
  /** Seconds of event time between consecutive rows (before shuffling). */
  readonly step?: number;
}

export interface EventTimeCase {
  readonly sources: Readonly<Record<string, EventTimeSource>>;
  /** The continuous query. */
  readonly query: string;
  /**
   * DuckDB's batch answer; `{name}` stands for the non-late rows of source `name`, `{wm}` for the
   * watermark of the last batch (a TIMESTAMP literal).
   */
  readonly reference: string;
  /** Which rows are final and compared, as a WHERE condition over the result (`{wm}` allowed). */
  readonly finalRows?: string;
  readonly appendMode?: boolean;
  readonly seed?: number;
  readonly steps?: number;
  /** Watermark delay in seconds, and how far (seconds) rows may be shuffled. */
  readonly delay?: number;
  readonly disorder?: number;
}

export interface EventTimeReport {
  readonly checks: number;
  readonly rowsFed: number;
  readonly lateRows: number;
  readonly finalRows: number;
  readonly mismatch: { step: number; watermark: string | null; view: string[]; batch: string[] } | null;
}

const BASE = Date.UTC(2024, 0, 1);

function canonical(row: readonly unknown[]): string {
  return JSON.stringify(row.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : typeof v === 'bigint' ? v.toString() : v)));
}

export async function runEventTimeDifferential(c: EventTimeCase): Promise<EventTimeReport> {
  const seed = c.seed ?? 1;
  const r = rng(seed);
  const delay = c.delay ?? 5;
  const disorder = c.disorder ?? 8;
  const dir = mkdtempSync(join(tmpdir(), 'eddy-etdiff-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    const names = Object.keys(c.sources);
    for (const name of names) {
      await engine.execute(`CREATE SOURCE ${name} (id BIGINT, ts TIMESTAMP, ${c.sources[name]!.columns}, WATERMARK FOR ts AS ts - INTERVAL '${delay}' SECOND)`);
    }
    const options = [`late_rows = 'keep'`, `max_rows_per_batch = ${int(r, 3, 25)}`];
    if (c.appendMode) options.push(`output_mode = 'append'`);
    await engine.execute(`CREATE MATERIALIZED VIEW diff_mv WITH (${options.join(', ')}) AS ${c.query}`);
    const counters = new Map(names.map((n) => [n, 0]));
    let nextId = 1;
    let checks = 0;
    let rowsFed = 0;
    let finalRows = 0;
    for (let step = 0; step < (c.steps ?? 10); step++) {
      for (const name of names) {
        const n = int(r, 0, 30);
        const tuples: string[] = [];
        for (let k = 0; k < n; k++) {
          const i = counters.get(name)!;
          counters.set(name, i + 1);
          const s = c.sources[name]!;
          const nominal = i * (s.step ?? 1);
          // mostly within the disorder bound; now and then far behind (late once the watermark moved)
          const back = r() < 0.05 ? int(r, delay + disorder, delay + disorder + 30) : int(r, 0, disorder);
          const ms = BASE + Math.max(0, nominal - back) * 1000 + int(r, 0, 999);
          tuples.push(`(${nextId++}, TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}', ${s.values(r, i)})`);
        }
        if (tuples.length === 0) continue;
        await engine.execute(`INSERT INTO ${name} VALUES ${tuples.join(', ')}`);
        rowsFed += tuples.length;
      }
      await engine.drain();
      const progress = engine.progress('diff_mv');
      const watermark = progress.at(-1)?.eventTime.watermark ?? null;
      const wm = watermark === null ? "TIMESTAMP '1970-01-01 00:00:00'" : `TIMESTAMP '${watermark.replace('T', ' ').replace('Z', '')}'`;
      const fill = (sql: string): string => {
        let out = sql.replaceAll('{wm}', wm);
        for (const name of names) {
          out = out.replaceAll(`{${name}}`, `(SELECT * FROM ${name} WHERE id NOT IN (SELECT CAST(json_extract_string("row", '$.id') AS BIGINT) FROM eddy_late_rows WHERE query = 'diff_mv' AND source = '${name}'))`);
        }
        return out;
      };
      const where = c.finalRows ? ` WHERE ${fill(c.finalRows)}` : '';
      const [view] = await engine.execute(`SELECT * FROM diff_mv${c.appendMode ? '' : where}`);
      const [batch] = await engine.execute(`SELECT * FROM (${fill(c.reference)}) AS ref${where}`);
      const v = view!.rows.map(canonical).sort();
      const b = batch!.rows.map(canonical).sort();
      checks++;
      finalRows = b.length;
      if (JSON.stringify(v) !== JSON.stringify(b)) {
        return { checks, rowsFed, lateRows: await lateCount(engine), finalRows, mismatch: { step, watermark, view: v, batch: b } };
      }
    }
    return { checks, rowsFed, lateRows: await lateCount(engine), finalRows, mismatch: null };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lateCount(engine: Engine): Promise<number> {
  const [res] = await engine.execute(`SELECT count(*) FROM eddy_late_rows WHERE query = 'diff_mv'`);
  return Number(res!.rows[0]![0]);
}
