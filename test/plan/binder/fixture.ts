/**
 * A small catalog (Nexmark-like sources, a table, views, a materialized view, a sink) and a real
 * DuckDB connection for binder tests.
 */
import type { CatalogReader } from '../../../src/catalog/reader.js';
import type { CatalogObject, Column } from '../../../src/catalog/types.js';
import { Database, quoteIdent, type Connection } from '../../../src/duck/index.js';
import type { BindContext } from '../../../src/plan/bind-context.js';
import { bindQuery } from '../../../src/plan/binder/query.js';
import type { LogicalNode } from '../../../src/plan/logical/nodes.js';
import type { QueryText } from '../../../src/sql/ast.js';
import { parseQueryBody } from '../../../src/sql/query-body.js';
import type { SqlPosition } from '../../../src/util/errors.js';

/** Parses a query body as the SQL front end does (Flink's window TVF form is rewritten first). */
export function queryText(text: string, start: SqlPosition = { offset: 0, line: 1, column: 1 }): QueryText {
  return parseQueryBody(text, start);
}

const cols = (spec: string): Column[] =>
  spec.split(/,(?![^(]*\))/).map((s) => {
    const [name, ...type] = s.trim().split(/\s+/);
    return { name: name!, type: type.join(' ') };
  });

const view = (kind: 'view' | 'materialized_view', name: string, columns: string, sql: string): CatalogObject =>
  kind === 'view'
    ? { kind, name, sql: `CREATE VIEW ${name} AS ${sql}`, columns: cols(columns), query: queryText(sql) }
    : { kind, name, sql: `CREATE MATERIALIZED VIEW ${name} AS ${sql}`, columns: cols(columns), query: queryText(sql), options: {} };

export const objects: CatalogObject[] = [
  {
    kind: 'source',
    name: 'bid',
    sql: 'CREATE SOURCE bid ...',
    columns: cols('auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR'),
    watermark: null,
    connector: 'push',
    options: {},
  },
  {
    kind: 'source',
    name: 'auction',
    sql: 'CREATE SOURCE auction ...',
    columns: cols('id BIGINT, item_name VARCHAR, seller BIGINT, category BIGINT, date_time TIMESTAMP'),
    watermark: null,
    connector: 'push',
    options: {},
  },
  {
    kind: 'source',
    name: 'odd',
    sql: 'CREATE SOURCE odd ...',
    columns: [
      { name: 'Mixed Case', type: 'VARCHAR' },
      { name: 'n', type: 'INTEGER' },
    ],
    watermark: null,
    connector: 'push',
    options: {},
  },
  {
    kind: 'source',
    name: 'clicks',
    sql: 'CREATE SOURCE clicks ...',
    columns: cols('user_id BIGINT, page VARCHAR, ts TIMESTAMP WITH TIME ZONE, day DATE'),
    watermark: null,
    connector: 'push',
    options: {},
  },
  { kind: 'table', name: 'stations', sql: 'CREATE TABLE stations ...', columns: cols('id INTEGER, name VARCHAR, capacity INTEGER') },
  { kind: 'table', name: 'prices', sql: 'CREATE TABLE prices ...', columns: cols('id INTEGER, price DECIMAL(10,2)') },
  view('view', 'big_bids', 'auction BIGINT, price BIGINT', 'SELECT auction, price FROM bid WHERE price > 100'),
  view('view', 'renamed', 'a BIGINT', 'SELECT auction FROM bid'),
  view('view', 'cyc1', 'x INTEGER', 'SELECT * FROM cyc2'),
  view('view', 'cyc2', 'x INTEGER', 'SELECT * FROM cyc1'),
  view('view', 'broken', 'x BIGINT', 'SELECT gone FROM bid'),
  view('view', 'latest_bid', 'auction BIGINT, bidder BIGINT, price BIGINT, rn BIGINT',
    'SELECT auction, bidder, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY date_time DESC) AS rn FROM bid'),
  view('materialized_view', 'hot', 'auction BIGINT, bids BIGINT', 'SELECT auction, count(*) AS bids FROM bid GROUP BY auction'),
  {
    kind: 'sink',
    name: 'out',
    sql: 'CREATE SINK out ...',
    columns: cols('auction BIGINT'),
    query: queryText('SELECT auction FROM bid'),
    from: null,
    connector: 'console',
    options: {},
  },
];

export const catalog: CatalogReader = {
  get: (name) => objects.find((o) => o.name === name),
  list: () => objects,
};

let db: Database | undefined;
let conn: Connection | undefined;

/** A BindContext over `reader` (the fixture's catalog by default) and the shared connection. */
export async function bindContext(reader: CatalogReader = catalog): Promise<BindContext> {
  db ??= await Database.open(':memory:');
  conn ??= await db.connect();
  const c = conn;
  return { catalog: reader, describe: (sql) => c.describe(sql), scalar: (sql) => c.scalar(sql) };
}

export async function bind(text: string, start?: SqlPosition): Promise<LogicalNode> {
  return bindQuery(queryText(text, start), await bindContext());
}

export function closeFixture(): void {
  conn?.close();
  db?.close();
  conn = undefined;
  db = undefined;
}

/**
 * A DuckDB connection with real tables shaped like the catalog's sources and tables (the views are
 * created as DuckDB views too), holding a few rows, for differential tests.
 */
export async function seededConnection(): Promise<Connection> {
  await bindContext();
  const c = conn!;
  if (await c.scalar(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'bid'`)) return c;
  for (const o of objects) {
    if (o.kind === 'source' || o.kind === 'table') {
      await c.run(`CREATE TABLE ${o.name} (${o.columns.map((col) => `${quoteIdent(col.name)} ${col.type}`).join(', ')})`);
    }
  }
  await c.run(`INSERT INTO bid VALUES
    (1, 10, 50, 'web', 'a/1', TIMESTAMP '2024-01-01 10:00:00', NULL),
    (1, 11, 150, 'app', 'a/2', TIMESTAMP '2024-01-01 10:30:00', 'x'),
    (2, 10, 300, 'web', 'b/1', TIMESTAMP '2024-01-01 11:15:00', NULL),
    (3, 12, 5, NULL, 'c/1', TIMESTAMP '2024-01-02 09:00:00', 'y'),
    (2, 12, 300, 'app', NULL, TIMESTAMP '2024-01-02 12:00:00', NULL)`);
  await c.run(`INSERT INTO auction VALUES
    (1, 'lamp', 100, 7, TIMESTAMP '2024-01-01 09:00:00'),
    (2, 'desk', 101, 8, TIMESTAMP '2024-01-01 11:00:00'),
    (4, 'sofa', 100, 7, TIMESTAMP '2024-01-03 09:00:00')`);
  await c.run(`INSERT INTO stations VALUES (10, 'north', 5), (11, 'south', 7), (13, 'east', NULL)`);
  await c.run(`INSERT INTO prices VALUES (10, 1.50), (12, 2.25), (14, 0.10)`);
  await c.run(`INSERT INTO odd VALUES ('a', 1), ('b', NULL)`);
  await c.run(`INSERT INTO clicks VALUES
    (1, 'home', TIMESTAMPTZ '2024-01-01 10:00:01+00', DATE '2024-01-01'),
    (1, 'cart', TIMESTAMPTZ '2024-01-01 10:00:04+00', DATE '2024-01-01'),
    (2, 'home', TIMESTAMPTZ '2024-01-01 10:00:09+00', DATE '2024-01-01'),
    (1, 'home', TIMESTAMPTZ '2024-01-01 10:00:30+00', DATE '2024-01-01'),
    (2, 'cart', TIMESTAMPTZ '2024-01-01 10:00:12+00', DATE '2024-01-01')`);
  for (const o of objects) {
    if ((o.kind === 'view' || o.kind === 'materialized_view') && !o.name.startsWith('cyc') && o.name !== 'broken') {
      await c.run(`CREATE VIEW ${o.name} (${o.columns.map((col) => quoteIdent(col.name)).join(', ')}) AS ${o.query.text}`);
    }
  }
  return c;
}
