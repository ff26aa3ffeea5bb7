/**
 * A small pg_catalog built from Eddy's catalog, in a private in-memory DuckDB, so that psql's `\d`
 * family and drivers' metadata queries get answers: sources and tables are relkind 'r', views 'v',
 * materialized views 'm' (sinks hold no rows and are left out). A pull query goes here when it reads
 * the system catalog, as the relations and functions it names say (never words in its text);
 * psql's spellings are rewritten a little first (psql-rewrite.ts), then it runs as it is.
 */
import { queryReads, type QueryReads } from '../../catalog/references.js';
import type { CatalogReader } from '../../catalog/reader.js';
import { redactSql } from '../../catalog/secrets.js';
import type { CatalogObject } from '../../catalog/types.js';
import { Database, quoteLiteral, type Connection } from '../../duck/index.js';
import { duckQueryReads } from '../../duck/query-reads.js';
import { rowsResult, type StatementResult } from '../../engine/statement-result.js';
import type { QueryText } from '../../sql/ast.js';
import { asEddyError } from '../../util/errors.js';
import { pgTypeName, pgTypeOf } from './pg-types.js';
import { CATALOG_FUNCTIONS, CATALOG_MACROS, CATALOG_SCHEMA, CATALOG_TABLES, TYPE_ROWS } from './catalog-tables.js';
import { rewritePsqlSpellingsAsync } from './psql-rewrite.js';

/** PostgreSQL's schemas of system relations. */
const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/**
 * The functions the emulation defines (format_type, pg_get_userbyid, ...), from its own macros; the
 * array functions among them are ordinary ones a user's query may call as well.
 */
const SYSTEM_FUNCTIONS = new Set(CATALOG_FUNCTIONS.filter((name) => !name.startsWith('array_')));

/**
 * Queries longer than this are never asked of DuckDB's parser (see CatalogEmulation.answers): no
 * client sends a catalog query of this size, and a long IN list's parse tree is large.
 */
const LONGEST_DUCKDB_READ = 256 * 1024;

/**
 * Whether a query reads PostgreSQL's system catalog: a relation or function of pg_catalog or
 * information_schema, a pg_* relation that is no object of Eddy's, or a function only the
 * emulation defines. A string holding `pg_settings` or a user's column named format_type counts for
 * nothing, nor does a statement other than a query.
 */
export function readsSystemCatalog(reads: QueryReads, catalog: CatalogReader): boolean {
  const system = (schema: string | null): boolean => schema !== null && SYSTEM_SCHEMAS.has(schema.toLowerCase());
  for (const relation of reads.relations) {
    if (system(relation.schema)) return true;
    const name = relation.name.toLowerCase();
    if (relation.schema === null && name.startsWith('pg_') && catalog.get(relation.name) === undefined) return true;
  }
  return reads.functions.some((fn) => system(fn.schema) || (fn.schema === null && SYSTEM_FUNCTIONS.has(fn.name.toLowerCase())));
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

  /**
   * Answers a pull query that reads the system catalog, or says it is none (null). Its relations are
   * found in node-sql-parser's tree; a query that parser cannot read (psql's OPERATOR(pg_catalog.~),
   * DuckDB-only syntax) is read by DuckDB's parser here, after psql's spellings are rewritten, and
   * the text rewritten once is the text that runs.
   */
  async answer(query: QueryText): Promise<StatementResult | null> {
    if (query.ast !== null && !readsSystemCatalog(queryReads(query.ast), this.catalog)) return null;
    if (query.ast === null && query.text.length > LONGEST_DUCKDB_READ) return null;
    const sql = await rewritePsqlSpellingsAsync(query.text);
    return this.serialized(async () => {
      const conn = await this.connection();
      if (query.ast === null) {
        const reads = await duckQueryReads(conn, sql);
        if (reads === null || !readsSystemCatalog(reads, this.catalog)) return null;
      }
      await this.refresh(conn);
      try {
        const result = await conn.queryOne(sql, ['select'], 'a catalog query');
        return rowsResult(result.columns, result.rows);
      } catch (e) {
        throw asEddyError(e, 'FEATURE_NOT_SUPPORTED', 'this catalog query is not supported by Eddy');
      }
    });
  }

  /** Runs `work` after the work before it: the emulation has one connection. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
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
