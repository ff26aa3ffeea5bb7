/**
 * metadata.json in a query's directory (query-dir.ts): who a query's checkpoint belongs to. The id
 * is generated once, when the query is first created, and kept across restarts (sinks stamp it on
 * what they write). The SQL and plan fingerprint let a restart refuse state that a different query
 * left behind.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EddyError } from '../util/errors.js';
import { readJson, writeJsonAtomic } from './atomic-file.js';
import { queryDir } from './query-dir.js';

export interface QueryMetadata {
  readonly id: string;
  readonly name: string;
  readonly sql: string;
  readonly fingerprint: string;
  readonly createdAt: string;
}

export function metadataPath(dataDir: string, name: string): string {
  return join(queryDir(dataDir, name), 'metadata.json');
}

export async function readMetadata(dataDir: string, name: string): Promise<QueryMetadata | undefined> {
  return readJson<QueryMetadata>(metadataPath(dataDir, name));
}

/**
 * The metadata of a query about to run: the stored one when it matches, or a new one (with a new id)
 * when there is none. A stored one whose SQL or plan differs is an error that says what changed.
 */
export async function openMetadata(dataDir: string, name: string, sql: string, fingerprint: string): Promise<QueryMetadata> {
  const stored = await readMetadata(dataDir, name);
  if (stored === undefined) {
    const fresh: QueryMetadata = { id: randomUUID(), name, sql, fingerprint, createdAt: new Date().toISOString() };
    await writeJsonAtomic(metadataPath(dataDir, name), fresh);
    return fresh;
  }
  const changed = [
    stored.sql !== sql ? `its SQL changed from ${JSON.stringify(stored.sql)} to ${JSON.stringify(sql)}` : null,
    stored.fingerprint !== fingerprint ? `its plan changed (fingerprint ${stored.fingerprint} -> ${fingerprint})` : null,
  ].filter((c): c is string => c !== null);
  if (changed.length > 0) throw incompatibleCheckpoint(name, changed.join('; '));
  return stored;
}

/** The error for a checkpoint that does not belong to the query as it is now defined. */
export function incompatibleCheckpoint(name: string, what: string): EddyError {
  return new EddyError('OBJECT_IN_USE', `"${name}" cannot resume from its checkpoint: ${what}`, {
    hint: `ALTER MATERIALIZED VIEW ${name} RESET (or ALTER SINK ${name} RESET) discards its state and starts it from the beginning of its sources; or DROP it`,
  });
}
