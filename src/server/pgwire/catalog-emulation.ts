/**
 * A small pg_catalog built from Eddy's catalog, in a private in-memory DuckDB, so that psql's `\d`
 * family and drivers' metadata queries get answers: sources and tables are relkind 'r', views 'v',
 * materialized views 'm' (sinks hold no rows and are left out). psql's queries are rewritten a
 * little first (pg_catalog. prefixes, OPERATOR(...), COLLATE, ::regclass casts), then run as they are.
 */
import type { CatalogReader } from '../../catalog/reader.js';
import { redactSql } from '../../catalog/secrets.js';
import type { CatalogObject } from '../../catalog/types.js';
import { Database, quoteLiteral, type Connection } from '../../duck/index.js';
import { rowsResult, type StatementResult } from '../../engine/statement-result.js';
import { asEddyError } from '../../util/errors.js';
import { pgTypeName, pgTypeOf } from './pg-types.js';
import { CATALOG_SCHEMA, CATALOG_TABLES, CATALOG_MACROS, TYPE_ROWS } from './catalog-tables.js';

const CATALOG_WORDS =
  /\b(pg_catalog|information_schema|pg_class|pg_namespace|pg_attribute|pg_type|pg_proc|pg_database|pg_roles|pg_user|pg_settings|pg_index|pg_description|pg_am|pg_extension|pg_get_userbyid|pg_table_is_visible|format_type|pg_get_keywords)\b/i;

/** Whether a statement reads PostgreSQL's system catalog. */
export function isCatalogQuery(sql: string): boolean {
  return CATALOG_WORDS.test(sql);
}

/** The first OID given to Eddy's objects (PostgreSQL's FirstNormalObjectId). */
const FIRST_OID = 16384;
const PUBLIC_NAMESPACE = 2200;

export class CatalogEmulation {
  private conn: Promise<Connection> | null = null;
  private built = '';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly catalog: CatalogReader, private readonly db: Database) {}

  static async open(catalog: CatalogReader): Promise<CatalogEmulation> {
    // a client's text runs here as written (rewritten a little): it may touch no file at all
    return new CatalogEmulation(catalog, await Database.open(':memory:', { threads: 1, allowedDirectories: [] }));
  }

  /** Runs a catalog query over the current catalog (rebuilt when it changed). */
  query(sql: string): Promise<StatementResult> {
    const run = this.queue.then(async () => {
      const conn = await this.connection();
      await this.refresh(conn);
      try {
        const result = await conn.queryOne(rewrite(sql), ['select'], 'a catalog query');
        return rowsResult(result.columns, result.rows);
      } catch (e) {
        throw asEddyError(e, 'FEATURE_NOT_SUPPORTED', 'this catalog query is not supported by Eddy');
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.db.close();
  }

  private connection(): Promise<Connection> {
    this.conn ??= (async () => {
      const conn = await this.db.connect();
      await conn.run(`CREATE SCHEMA ${CATALOG_SCHEMA}`);
      for (const ddl of CATALOG_TABLES) await conn.run(ddl);
      for (const macro of CATALOG_MACROS) await conn.run(macro);
      await conn.run(`INSERT INTO ${CATALOG_SCHEMA}.pg_type SELECT * FROM (VALUES ${TYPE_ROWS}) AS t`);
      await conn.run(`SET search_path = '${CATALOG_SCHEMA},main'`);
      return conn;
    })();
    return this.conn;
  }

  /** Rewrites pg_class and pg_attribute when Eddy's catalog changed since the last query. */
  private async refresh(conn: Connection): Promise<void> {
    const objects = this.catalog.list().filter((o): o is Exclude<CatalogObject, { kind: 'sink' }> => o.kind !== 'sink');
    const signature = JSON.stringify(objects.map((o) => [o.name, o.kind, o.columns]));
    if (signature === this.built) return;
    const s = CATALOG_SCHEMA;
    const statements = [`DELETE FROM ${s}.pg_class`, `DELETE FROM ${s}.pg_attribute`, `DELETE FROM ${s}.eddy_objects`];
    objects.forEach((object, i) => {
      const oid = FIRST_OID + i;
      const relkind = object.kind === 'view' ? 'v' : object.kind === 'materialized_view' ? 'm' : 'r';
      statements.push(
        `INSERT INTO ${s}.pg_class (oid, relname, relnamespace, relkind, relnatts) VALUES (${oid}, ${quoteLiteral(object.name)}, ${PUBLIC_NAMESPACE}, '${relkind}', ${object.columns.length})`,
      );
      statements.push(`INSERT INTO ${s}.eddy_objects VALUES (${oid}, ${quoteLiteral(object.kind)}, ${quoteLiteral(redactSql(object.sql))}, ${quoteLiteral('query' in object ? object.query.text : '')})`);
      object.columns.forEach((column, j) => {
        const type = pgTypeOf(column.type);
        const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(column.type.trim());
        const typmod = decimal ? ((Number(decimal[1]) << 16) | Number(decimal[2])) + 4 : -1;
        statements.push(
          `INSERT INTO ${s}.pg_attribute (attrelid, attname, atttypid, attlen, attnum, atttypmod, attnotnull, eddy_type) VALUES (${oid}, ${quoteLiteral(column.name)}, ${type.oid}, ${type.size}, ${j + 1}, ${typmod}, false, ${quoteLiteral(pgTypeName(column.type))})`,
        );
      });
    });
    await conn.transaction(() => conn.runAll(statements));
    this.built = signature;
  }
}

/** psql's spellings DuckDB does not read, rewritten outside string literals. */
export function rewrite(sql: string): string {
  return sql
    .replace(/OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?([~!<>=*+\-/^%|&]+)\s*\)/gi, '$1')
    .replace(/\s+COLLATE\s+(?:pg_catalog\s*\.\s*)?("?default"?|"C"|C)\b/gi, '')
    .replace(/::\s*(?:pg_catalog\s*\.\s*)?(regclass|regtype|regproc|regprocedure|regnamespace|regrole|name)\b/gi, '::VARCHAR')
    .replace(/::\s*(?:pg_catalog\s*\.\s*)?oid\b/gi, '::BIGINT')
    .replace(/::\s*(?:pg_catalog\s*\.\s*)?"char"/gi, '::VARCHAR')
    .replace(/\bpg_catalog\s*\.\s*/gi, '')
    // PostgreSQL names a set-returning function's column after its alias; DuckDB after the function.
    .replace(/\b(generate_series|unnest)(\s*\((?:[^()]|\([^()]*\))*\))\s+(?:AS\s+)?([a-z_]\w*)\s*(?=,|\)|\s+WHERE\b)/gi, '$1$2 AS $3($3)');
}
