/**
 * A query's state database: queries/<name>/state.duckdb, attached to the process's DuckDB as
 * "q_<name>". It holds the operators' state tables, the result table, the outbox and the state
 * version (the last batch whose transaction committed, with the source offsets it ended at).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from '../duck/index.js';
import { quoteIdent, quoteLiteral } from '../duck/quote.js';
import { queryDir } from '../checkpoint/batch-log.js';

export interface StateVersion {
  readonly batchId: number;
  readonly offsets: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
}

export class StateStore {
  readonly alias: string;

  private constructor(readonly dir: string, name: string) {
    this.alias = quoteIdent(`q_${name}`);
  }

  static async attach(conn: Connection, dataDir: string, name: string): Promise<StateStore> {
    const store = new StateStore(queryDir(dataDir, name), name);
    await mkdir(store.dir, { recursive: true });
    await conn.run(`ATTACH IF NOT EXISTS ${quoteLiteral(join(store.dir, 'state.duckdb'))} AS ${store.alias}`);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${store.table('__eddy_version')} (batch_id BIGINT, offsets VARCHAR, fingerprint VARCHAR)`);
    return store;
  }

  /** The qualified name of a table in the state database. */
  table(name: string): string {
    return `${this.alias}.main.${quoteIdent(name)}`;
  }

  async version(conn: Connection): Promise<StateVersion | null> {
    const rows = await conn.objects<{ batch_id: number; offsets: string; fingerprint: string }>(
      `SELECT batch_id, offsets, fingerprint FROM ${this.table('__eddy_version')}`,
    );
    const row = rows[0];
    return row ? { batchId: Number(row.batch_id), offsets: JSON.parse(row.offsets) as Record<string, unknown>, fingerprint: row.fingerprint } : null;
  }

  /** Statements that record the state version; run inside the batch's transaction. */
  setVersionSql(version: StateVersion): string[] {
    return [
      `DELETE FROM ${this.table('__eddy_version')}`,
      `INSERT INTO ${this.table('__eddy_version')} VALUES (${version.batchId}, ${quoteLiteral(JSON.stringify(version.offsets))}, ${quoteLiteral(version.fingerprint)})`,
    ];
  }

  async detach(conn: Connection): Promise<void> {
    await conn.run(`DETACH DATABASE IF EXISTS ${this.alias}`);
  }

  /** Detaches and deletes the query's directory (state, offsets, commits). */
  async destroy(conn: Connection): Promise<void> {
    await this.detach(conn);
    await rm(this.dir, { recursive: true, force: true });
  }
}
