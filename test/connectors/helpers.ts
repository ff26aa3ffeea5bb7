/** Shared by the connector tests: a real in-memory DuckDB and tables shaped like a source. */
import type { Column } from '../../src/catalog/types.js';
import type { ConnectorEnv } from '../../src/connectors/types.js';
import { Database, quoteIdent, type Connection } from '../../src/duck/index.js';

export interface TestDb {
  readonly db: Database;
  readonly conn: Connection;
  readonly env: ConnectorEnv;
  close(): void;
}

export async function openTestDb(dataDir = '/tmp'): Promise<TestDb> {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  return {
    db,
    conn,
    env: { dataDir, db },
    close() {
      conn.close();
      db.close();
    },
  };
}

export async function createTable(conn: Connection, name: string, columns: readonly Column[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
}
