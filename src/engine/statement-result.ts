/** What executing one statement returns, in the shape the CLI, psql and HTTP all print. */
import type { ResultColumn } from '../duck/index.js';

export interface StatementResult {
  /** The command tag, as PostgreSQL's CommandComplete: 'CREATE SOURCE', 'SELECT 3', 'INSERT 0 2'. */
  readonly tag: string;
  /** The result's columns; empty for statements that return no rows. */
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
  /** Messages for the user that are not errors (psql shows them as NOTICE). */
  readonly notices?: readonly string[];
}

/** A result with no rows, only a tag (and maybe notices). */
export function commandResult(tag: string, notices?: readonly string[]): StatementResult {
  return notices && notices.length > 0 ? { tag, columns: [], rows: [], notices } : { tag, columns: [], rows: [] };
}

/** A result with rows; the tag counts them like PostgreSQL's `SELECT n`. */
export function rowsResult(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[], tag = `SELECT ${rows.length}`): StatementResult {
  return { tag, columns, rows };
}

/** A multi-line text (a plan) as one text column, one row per line, like PostgreSQL's EXPLAIN. */
export function textLinesResult(column: string, text: string, tag = 'EXPLAIN'): StatementResult {
  const lines = text.replace(/\n+$/, '').split('\n');
  return { tag, columns: [{ name: column, type: 'VARCHAR' }], rows: lines.map((line) => [line]) };
}

/**
 * A statement whose effect is done and visible, and which then waits for something that should not
 * hold other sessions' statements back: a CREATE MATERIALIZED VIEW waiting for its backfill. The
 * engine releases its statement queue first and then calls finish(), so only the session that sent
 * the statement waits (as in RisingWave).
 */
export class FinishAfterQueue {
  constructor(readonly finish: () => Promise<StatementResult>) {}
}
