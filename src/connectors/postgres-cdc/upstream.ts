/**
 * The upstream PostgreSQL server over ordinary connections: what its table looks like, the
 * publication the slot streams, and the slots themselves. Values come back as PostgreSQL's text
 * (no parsing in JS), as pgoutput sends them.
 */
import pg from 'pg';
import { EddyError } from '../../util/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { pgIdent, pgLiteral, qualifiedTable, type CdcSettings } from './settings.js';

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export interface UpstreamColumn {
  readonly name: string;
  /** format_type(): `integer`, `character varying(20)`, `numeric(10,2)`. */
  readonly type: string;
  readonly notNull: boolean;
}

export interface UpstreamTable {
  readonly columns: readonly UpstreamColumn[];
  readonly primaryKey: readonly string[];
  /** d (default: the primary key), f (full), i (an index), n (nothing). */
  readonly replicaIdentity: string;
}

export function where(source: string, s: CdcSettings): string {
  return `source "${source}" (postgres-cdc ${s.host}:${s.port}/${s.database}, table ${s.schema}.${s.table})`;
}

/** An upstream failure as an EddyError that says where and, for the common ones, what to do. */
export function upstreamError(e: unknown, at: string): EddyError {
  if (e instanceof EddyError) return e;
  const err = e as { message?: string; code?: string };
  const message = err.message ?? String(e);
  const hint = /password authentication failed|no pg_hba.conf entry/.test(message)
    ? 'check username and password, and that pg_hba.conf lets this host connect (replication connections need a "replication" line for logical slots only when connecting to the replication database)'
    : /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(err.code ?? message)
      ? 'check hostname and port, and that the server is running'
      : /must be superuser or replication role|permission denied/.test(message)
        ? 'the user needs the REPLICATION attribute (ALTER ROLE ... REPLICATION) and SELECT on the table'
        : undefined;
  return new EddyError('SOURCE_UNAVAILABLE', `${at}: ${message}`, { hint, cause: e });
}

export async function connect(s: CdcSettings, replication: boolean): Promise<pg.Client> {
  const client = new pg.Client({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    types: RAW_TEXT,
    connectionTimeoutMillis: 10_000,
    application_name: 'eddy',
    ...(replication ? { replication: 'database' } : {}),
  });
  // an error after connecting surfaces through the query that is running, or the next one
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs `fn` on a fresh ordinary connection, closed after. */
export async function withClient<T>(s: CdcSettings, at: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client | null = null;
  try {
    client = await connect(s, false);
    return await fn(client);
  } catch (e) {
    throw upstreamError(e, at);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** The table's columns, key and replica identity; the server must decode logically. */
export async function describeTable(client: pg.Client, s: CdcSettings, at: string): Promise<UpstreamTable> {
  const level = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]?.wal_level;
  if (level !== 'logical') {
    throw new EddyError('SOURCE_UNAVAILABLE', `${at}: the server's wal_level is '${level}', and logical replication needs 'logical'`, {
      hint: "set wal_level = logical in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart the server",
    });
  }
  const rel = await client.query<{ oid: string; relreplident: string }>(
    `SELECT c.oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, [s.schema, s.table]);
  const found = rel.rows[0];
  if (!found) throw new EddyError('UNDEFINED_OBJECT', `${at}: table ${qualifiedTable(s)} does not exist upstream`);
  const cols = await client.query<{ name: string; type: string; notnull: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS notnull FROM pg_attribute
     WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [found.oid]);
  const key = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`, [found.oid]);
  return {
    columns: cols.rows.map((r) => ({ name: r.name, type: r.type, notNull: r.notnull === 't' || r.notnull === 'true' })),
    primaryKey: key.rows.map((r) => r.name),
    replicaIdentity: found.relreplident,
  };
}

/** Creates the publication FOR TABLE when missing (returns true then); an existing one must publish the table. */
export async function ensurePublication(client: pg.Client, s: CdcSettings, at: string): Promise<boolean> {
  const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [s.publication]);
  if (existing.rows.length === 0) {
    await client.query(`CREATE PUBLICATION ${pgIdent(s.publication)} FOR TABLE ${qualifiedTable(s)}`);
    return true;
  }
  const has = await client.query('SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3', [s.publication, s.schema, s.table]);
  if (has.rows.length === 0) {
    throw new EddyError('INVALID_PARAMETER', `${at}: publication "${s.publication}" exists and does not publish ${qualifiedTable(s)}`, {
      hint: `ALTER PUBLICATION ${pgIdent(s.publication)} ADD TABLE ${qualifiedTable(s)}, or name another with publication.name`,
    });
  }
  return false;
}

export async function dropPublication(client: pg.Client, s: CdcSettings): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${pgIdent(s.publication)}`);
}

/**
 * Whether the slot exists, once no other connection streams it: the walsender of a reader that
 * just disconnected (or was killed with its process) lets go of the slot a moment later.
 */
export async function slotFree(client: pg.Client, slot: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await client.query<{ active: string }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    const row = r.rows[0];
    if (!row) return false;
    if (row.active !== 't' && row.active !== 'true') return true;
    if (Date.now() > deadline) throw new EddyError('SOURCE_UNAVAILABLE', `replication slot "${slot}" is in use by another connection`, { hint: 'the query retries; if it lasts, end that connection (pg_terminate_backend of the slot\'s active_pid)' });
    await sleep(100);
  }
}

/** Where the slot's confirmed position stands (null when the slot does not exist). */
export async function slotConfirmed(client: pg.Client, slot: string): Promise<string | null> {
  const r = await client.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r.rows[0] ? r.rows[0].lsn : null;
}

/**
 * Drops the slot if it exists. A slot is busy for a moment after its reader disconnects (the
 * walsender exits asynchronously), so an active one is retried for a few seconds.
 */
export async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ${pgLiteral(slot)}`);
      return;
    } catch (e) {
      if (!/is active/.test((e as Error).message) || Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}
