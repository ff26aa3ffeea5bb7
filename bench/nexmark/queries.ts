/**
 * The Nexmark queries the benchmark runs: RisingWave's text (sql-examples/nexmark/qN.sql, read at run
 * time; built-in copies of q0-q2 when that folder is absent) and, derived from the same text, the
 * DuckDB statement that computes the same result once over tables named person, auction and bid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdent } from '../../src/duck/quote.js';

export type NexmarkSourceName = 'person' | 'auction' | 'bid';

export interface BenchQuery {
  readonly name: string;
  /** The SELECT of RisingWave's text (what follows CREATE MATERIALIZED VIEW ... AS). */
  readonly select: string;
  /** The same query as plain DuckDB SQL over tables person, auction and bid. */
  readonly duckdb: string;
  readonly sources: readonly NexmarkSourceName[];
  /**
   * 'sink': append-only stateless queries stream into a blackhole sink, so no result table is
   * written (RisingWave's own Nexmark benchmark also sinks them to a blackhole); 'view': a
   * materialized view, as RisingWave's text declares.
   */
  readonly output: 'sink' | 'view';
  readonly stateful: boolean;
}

const BUILT_IN: Readonly<Record<string, string>> = {
  q0: 'SELECT auction, bidder, price, date_time FROM bid',
  q1: 'SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid',
  q2: 'SELECT auction, price FROM bid WHERE auction = 1007 OR auction = 1020 OR auction = 2001 OR auction = 2019 OR auction = 2087',
};

/** Queries whose result is append-only and needs no state: they go to a blackhole sink. */
const STATELESS = new Set(['q0', 'q1', 'q2', 'q10', 'q14', 'q21', 'q22']);

export const DEFAULT_QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'];

/** sql-examples/nexmark, found by walking up from this file (bench/nexmark or dist/bench/nexmark). */
function examplesDir(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'sql-examples', 'nexmark');
    if (fs.existsSync(path.join(candidate, 'q0.sql'))) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

function stripComments(sql: string): string {
  return sql.split('\n').map((line) => line.replace(/--.*$/, '')).join('\n');
}

/**
 * The SELECT of the last CREATE MATERIALIZED VIEW in a qN.sql file, plus the statements before it
 * (q13 creates and fills a side table first).
 */
function parseExample(text: string): { setup: string; select: string } | null {
  const sql = stripComments(text);
  const m = /CREATE\s+MATERIALIZED\s+VIEW\s+\w+\s+AS\s+([\s\S]*?);?\s*$/i.exec(sql);
  if (!m) return null;
  return { setup: sql.slice(0, m.index).trim(), select: m[1]!.trim() };
}

const CLAUSE_WORDS = new Set(['GROUP', 'WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'ON', 'ORDER', 'LIMIT', 'HAVING', 'UNION', 'WINDOW', 'QUALIFY']);

/**
 * Rewrites TUMBLE(t, col, INTERVAL 'n' SECOND) and HOP(t, col, slide, size) table functions into
 * plain DuckDB subqueries that add window_start and window_end (time_bucket is aligned to the epoch
 * for whole seconds). Other queries pass through unchanged.
 */
export function toDuckDbSql(select: string): string {
  const fn = /\b(TUMBLE|HOP)\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*INTERVAL\s*'(\d+)'\s*SECONDS?\s*(?:,\s*INTERVAL\s*'(\d+)'\s*SECONDS?\s*)?\)(\s+(?:AS\s+)?(\w+))?/gi;
  return select.replace(fn, (_all, kind: string, table: string, col: string, a: string, b: string | undefined, tail: string | undefined, alias: string | undefined) => {
    const aliasKept = alias !== undefined && !CLAUSE_WORDS.has(alias.toUpperCase());
    const as = aliasKept ? ` AS ${quoteIdent(alias)}` : ` AS ${quoteIdent(table)}`;
    const rest = aliasKept || tail === undefined ? '' : tail;
    const t = quoteIdent(table);
    const c = quoteIdent(col);
    if (kind.toUpperCase() === 'TUMBLE') {
      const bucket = `time_bucket(INTERVAL '${Number(a)} seconds', ${c})`;
      return `(SELECT *, ${bucket} AS window_start, ${bucket} + INTERVAL '${Number(a)} seconds' AS window_end FROM ${t})${as}${rest}`;
    }
    const slide = Number(a);
    const size = Number(b ?? a);
    const last = `time_bucket(INTERVAL '${slide} seconds', ${c})`;
    const starts = `unnest(generate_series(${last} - INTERVAL '${size - slide} seconds', ${last}, INTERVAL '${slide} seconds'))`;
    return `(SELECT *, __ws AS window_start, __ws + INTERVAL '${size} seconds' AS window_end FROM (SELECT *, ${starts} AS __ws FROM ${t}))${as}${rest}`;
  });
}

function sourcesOf(select: string): NexmarkSourceName[] {
  return (['person', 'auction', 'bid'] as const).filter((s) => new RegExp(`\\b${s}\\b`, 'i').test(select));
}

export interface LoadedQuery extends BenchQuery {
  /** Statements to run before the query in both engines (a side table), or ''. */
  readonly setup: string;
}

/** Loads the named queries; an unknown name or a missing file is an error naming it. */
export function loadQueries(names: readonly string[]): LoadedQuery[] {
  const dir = examplesDir();
  return names.map((name) => {
    const file = dir === null ? null : path.join(dir, `${name}.sql`);
    let parsed: { setup: string; select: string } | null = null;
    if (file !== null && fs.existsSync(file)) parsed = parseExample(fs.readFileSync(file, 'utf8'));
    else if (BUILT_IN[name] !== undefined) parsed = { setup: '', select: BUILT_IN[name]! };
    if (parsed === null) {
      throw new Error(`unknown Nexmark query '${name}': no ${dir ?? 'sql-examples/nexmark'}/${name}.sql holding a CREATE MATERIALIZED VIEW ... AS SELECT`);
    }
    const stateful = !STATELESS.has(name);
    return {
      name,
      setup: parsed.setup,
      select: parsed.select,
      duckdb: toDuckDbSql(parsed.select),
      sources: sourcesOf(parsed.select),
      output: stateful ? 'view' : 'sink',
      stateful,
    };
  });
}
