/**
 * The initial snapshot, copied into Eddy's database before the first batch reads it. The slot's
 * exported snapshot lives only as long as the connection that created the slot stays idle, and a
 * batch must be re-readable after a crash, so the rows (as PostgreSQL's text) go into
 * `__cdc_snapshot_<slot>` in one DuckDB transaction, with a row in `__cdc_snapshots` saying which
 * slot and consistent point they are of. A crash during the copy leaves neither (the reader then
 * drops the slot and starts over); once recorded, batches read row ranges of the copy, and the copy
 * is dropped when a committed offset is past it.
 */
import type pg from 'pg';
import type { Column } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { pgIdent, qualifiedTable, type CdcSettings } from './settings.js';

export const SNAPSHOTS_TABLE = '__cdc_snapshots';
/** Rows fetched from the server per round trip while copying. */
const FETCH_ROWS = 10_000;

export interface SnapshotCopy {
  readonly table: string;
  readonly consistentPoint: Lsn;
  readonly rows: number;
}

export function snapshotTable(slot: string): string {
  return `__cdc_snapshot_${slot}`;
}

async function ensureSnapshotsTable(duck: Connection): Promise<void> {
  await duck.run(`CREATE TABLE IF NOT EXISTS ${SNAPSHOTS_TABLE} (slot VARCHAR PRIMARY KEY, lsn VARCHAR, "rows" BIGINT)`);
}

/** The recorded copy of the slot's snapshot, if there is one. */
export async function recordedSnapshot(duck: Connection, slot: string): Promise<SnapshotCopy | null> {
  await ensureSnapshotsTable(duck);
  const [row] = await duck.objects<{ lsn: string; rows: bigint | number }>(`SELECT lsn, "rows" FROM ${SNAPSHOTS_TABLE} WHERE slot = ${quoteLiteral(slot)}`);
  return row ? { table: snapshotTable(slot), consistentPoint: parseLsn(row.lsn), rows: Number(row.rows) } : null;
}

export async function dropSnapshot(duck: Connection, slot: string): Promise<void> {
  await ensureSnapshotsTable(duck);
  await duck.run(`DELETE FROM ${SNAPSHOTS_TABLE} WHERE slot = ${quoteLiteral(slot)}; DROP TABLE IF EXISTS ${quoteIdent(snapshotTable(slot))}`);
}

/**
 * Copies the table as of the exported snapshot into the slot's snapshot table (declared columns as
 * text, numbered from 1 in the order read), in batches through a cursor.
 */
export async function copySnapshot(
  client: pg.Client,
  duck: Connection,
  s: CdcSettings,
  columns: readonly Column[],
  slot: string,
  created: { consistentPoint: Lsn; snapshot: string },
): Promise<SnapshotCopy> {
  await ensureSnapshotsTable(duck);
  const table = snapshotTable(slot);
  const select = columns.map((c) => `${pgIdent(c.name)}::text`).join(', ');
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET TRANSACTION SNAPSHOT '${created.snapshot}'`);
    await client.query(`DECLARE eddy_snapshot NO SCROLL CURSOR FOR SELECT ${select} FROM ${qualifiedTable(s)}`);
    let rows = 0;
    await duck.transaction(async () => {
      await duck.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} (__ord BIGINT, ${columns.map((_, i) => `v${i} VARCHAR`).join(', ')})`);
      for (;;) {
        const r = await client.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM eddy_snapshot`, rowMode: 'array' });
        if (r.rows.length === 0) break;
        await duck.append(table, undefined, r.rows.map((row) => [BigInt(++rows), ...row]));
      }
      await duck.run(`INSERT OR REPLACE INTO ${SNAPSHOTS_TABLE} VALUES (${quoteLiteral(slot)}, ${quoteLiteral(formatLsn(created.consistentPoint))}, ${rows})`);
    });
    return { table, consistentPoint: created.consistentPoint, rows };
  } finally {
    await client.query('COMMIT').catch(() => undefined);
  }
}
