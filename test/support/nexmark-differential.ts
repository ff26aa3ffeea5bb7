/**
 * The Nexmark differential harness. Nexmark events (the connector's own generator SQL) are fed into
 * push sources person, auction and bid (the columns and 4 s watermark of sql-examples/nexmark/sources.sql)
 * in random chunks of the global event sequence, each chunk shuffled, so that batches see rows out
 * of order and a chunk spanning more than the watermark delay makes some rows late. After every
 * chunk's drain the materialized view (random max_rows_per_batch, late_rows = 'keep') is compared
 * with DuckDB's batch answer over the rows that were not late. A push source's rows are named by
 * their date_time: the generator spaces events 10 ms apart, so event times are unique.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorSelect } from '../../src/connectors/nexmark/generator-sql.js';
import { NEXMARK_COLUMNS, NEXMARK_TABLES } from '../../src/connectors/nexmark/schema.js';
import { Engine } from '../../src/engine/index.js';
import { int, rng } from './differential.js';

export interface NexmarkCase {
  /** Statements run before the view (e.g. q13's side table). */
  readonly setup?: string;
  /** The view's query (the text after `CREATE MATERIALIZED VIEW name AS`). */
  readonly query: string;
  /**
   * DuckDB's batch answer over relations person, auction and bid (the non-late rows fed so far);
   * `{wm}` stands for the watermark of the last batch (a TIMESTAMP literal).
   */
  readonly reference: string;
  readonly appendMode?: boolean;
  readonly seed?: number;
  /** Events (of all three kinds) fed in total. */
  readonly events?: number;
  /** Largest chunk, in events; 100 events are 1 s of event time. */
  readonly maxChunk?: number;
}

export interface NexmarkReport {
  readonly checks: number;
  readonly batches: number;
  readonly lateRows: number;
  readonly rowsCompared: number;
  readonly mismatch: { step: number; events: number; watermark: string | null; onlyInView: string[]; onlyInBatch: string[] } | null;
}

const EVENTS_PER_SECOND = 100;
/** Event times stay on whole 10 ms steps; the push sources share the connector's default base time. */
const BASE_TIME_MS = Date.UTC(2015, 6, 15);

function canonical(row: readonly unknown[]): string {
  return JSON.stringify(
    row.map((v) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(9));
      if (v !== null && typeof v === 'object') return String(v);
      return v;
    }),
  );
}

/** Rows in `a` not matched by a row of `b` (multiset difference). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

const ts = (iso: string): string => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`;

export async function runNexmarkDifferential(c: NexmarkCase): Promise<NexmarkReport> {
  const seed = c.seed ?? 1;
  const r = rng(seed);
  const total = c.events ?? 2000;
  const dir = mkdtempSync(join(tmpdir(), 'eddy-nxdiff-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    for (const table of NEXMARK_TABLES) {
      const columns = NEXMARK_COLUMNS[table].map((col) => `${col.name} ${col.type}`).join(', ');
      await engine.execute(`CREATE SOURCE ${table} (${columns}, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)`);
    }
    if (c.setup) await engine.execute(c.setup);
    const options = [`late_rows = 'keep'`, `max_rows_per_batch = ${int(r, 20, 400)}`];
    if (c.appendMode) options.push(`output_mode = 'append'`);
    await engine.execute(`CREATE MATERIALIZED VIEW diff_mv WITH (${options.join(', ')}) AS ${c.query}`);
    // the reference reads the non-late rows under the source names, from the push storage tables
    const lateTimes = (table: string): string =>
      `SELECT CAST(json_extract_string("row", '$.date_time') AS TIMESTAMP) FROM eddy_late_rows WHERE query = 'diff_mv' AND source = '${table}'`;
    const fed = NEXMARK_TABLES.map((table) => {
      const columns = NEXMARK_COLUMNS[table].map((col) => col.name).join(', ');
      return `${table} AS (SELECT ${columns} FROM __push_${table} WHERE date_time NOT IN (${lateTimes(table)}))`;
    });
    let checks = 0;
    let rowsCompared = 0;
    let events = 0;
    for (let step = 0; events < total; step++) {
      const to = Math.min(total, events + int(r, 1, c.maxChunk ?? 500));
      for (const table of NEXMARK_TABLES) {
        const generated = generatorSelect({ table, eventsPerSecond: EVENTS_PER_SECOND, baseTimeMs: BASE_TIME_MS, seed: 0 }, events, to);
        const names = NEXMARK_COLUMNS[table].map((col) => col.name).join(', ');
        await engine.execute(`INSERT INTO ${table} SELECT * FROM (${generated}) AS g(${names}) ORDER BY hash(date_time, ${seed})`);
      }
      events = to;
      await engine.drain();
      const watermark = engine.progress('diff_mv').at(-1)?.eventTime.watermark ?? null;
      const reference = c.reference.replaceAll('{wm}', watermark === null ? ts('1970-01-01T00:00:00Z') : ts(watermark));
      const [view] = await engine.execute('SELECT * FROM diff_mv');
      const [batch] = await engine.execute(`WITH ${fed.join(', ')} SELECT * FROM (${reference}) AS ref`);
      const v = view!.rows.map(canonical);
      const b = batch!.rows.map(canonical);
      checks++;
      rowsCompared = b.length;
      const onlyInView = minus(v, b);
      const onlyInBatch = minus(b, v);
      if (onlyInView.length > 0 || onlyInBatch.length > 0) {
        return { checks, batches: await batchCount(engine), lateRows: await lateCount(engine), rowsCompared, mismatch: { step, events, watermark, onlyInView, onlyInBatch } };
      }
    }
    return { checks, batches: await batchCount(engine), lateRows: await lateCount(engine), rowsCompared, mismatch: null };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lateCount(engine: Engine): Promise<number> {
  const [res] = await engine.execute(`SELECT count(*) FROM eddy_late_rows WHERE query = 'diff_mv'`);
  return Number(res!.rows[0]![0]);
}

async function batchCount(engine: Engine): Promise<number> {
  const last = engine.progress('diff_mv').at(-1);
  return last === undefined ? 0 : Number(last.batchId) + 1;
}
