/**
 * What a SELECT reads, as DuckDB's own parser sees it (json_serialize_sql): the tables it names and
 * the functions it calls. Eddy reads queries with node-sql-parser (src/catalog/references.ts); this is
 * for the DuckDB-only ones that parser cannot read, so that they are told apart by what they name too.
 */
import type { Connection } from './database.js';

/** A name as the query writes it: `schema.name`, or `name` alone (schema null). */
export interface DuckWrittenName {
  readonly schema: string | null;
  readonly name: string;
}

export interface DuckQueryReads {
  readonly relations: readonly DuckWrittenName[];
  readonly functions: readonly DuckWrittenName[];
}

/**
 * The relations and functions of `sql`, or null when DuckDB does not read it as SELECT statements
 * (json_serialize_sql serializes only those). Nothing runs: DuckDB parses the text, no more.
 */
export async function duckQueryReads(conn: Connection, sql: string): Promise<DuckQueryReads | null> {
  const json = await conn.scalarBound<string>('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const tree = typeof json === 'string' ? (JSON.parse(json) as { error?: unknown; statements?: unknown }) : null;
  if (!tree || tree.error !== false) return null;
  const relations: DuckWrittenName[] = [];
  const functions: DuckWrittenName[] = [];
  // an explicit stack: a long IN list is walked without recursion
  const stack: unknown[] = [tree.statements];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string') {
      relations.push({ schema: nonEmpty(record.schema_name), name: record.table_name });
    }
    // scalar, aggregate and table functions alike (a table function in FROM holds one of these)
    if (record.class === 'FUNCTION' && typeof record.function_name === 'string') {
      functions.push({ schema: nonEmpty(record.schema), name: record.function_name });
    }
    for (const key in record) if (typeof record[key] === 'object') stack.push(record[key]);
  }
  return { relations, functions };
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
