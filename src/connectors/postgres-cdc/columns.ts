/**
 * A postgres-cdc source's declared columns against the upstream table (at CREATE SOURCE): each must
 * be one of the table's columns, and the declared PRIMARY KEY must be a key every change carries: the
 * table's primary key (what a DELETE sends by default), or any columns under REPLICA IDENTITY FULL.
 */
import type { Column } from '../../catalog/types.js';
import { EddyError } from '../../util/errors.js';
import { qualifiedTable, type CdcSettings } from './settings.js';
import type { UpstreamTable } from './upstream.js';

export function checkDeclaredColumns(source: string, columns: readonly Column[] | null, key: readonly string[], table: UpstreamTable, s: CdcSettings): void {
  const upstream = table.columns.map((c) => c.name);
  const example = table.columns.slice(0, 3).map((c) => `${c.name} ...`).join(', ');
  if (columns === null || columns.length === 0) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": a postgres-cdc source needs its columns and PRIMARY KEY declared`, {
      hint: `${qualifiedTable(s)} has columns ${upstream.join(', ')}; declare those the source reads, e.g. CREATE SOURCE ${source} (${example}, PRIMARY KEY (${table.primaryKey.join(', ') || upstream[0]})) WITH (...)`,
    });
  }
  const missing = columns.filter((c) => !upstream.includes(c.name));
  if (missing.length > 0) {
    throw new EddyError('UNDEFINED_COLUMN', `source "${source}": ${missing.map((c) => `"${c.name}"`).join(', ')} ${missing.length > 1 ? 'are not columns' : 'is not a column'} of ${qualifiedTable(s)} upstream`, {
      hint: `its columns are ${upstream.join(', ')} (names are matched exactly, case included)`,
    });
  }
  if (key.length === 0) return; // create.ts says that a postgres-cdc source needs its key
  if (table.replicaIdentity === 'f') return;
  const same = key.length === table.primaryKey.length && key.every((k) => table.primaryKey.includes(k));
  if (!same) {
    const theirs = table.primaryKey.length > 0 ? `its primary key is (${table.primaryKey.join(', ')})` : 'it has no primary key';
    throw new EddyError('INVALID_PARAMETER', `source "${source}": the PRIMARY KEY (${key.join(', ')}) is not the key ${qualifiedTable(s)} sends with its changes: ${theirs}`, {
      hint: table.primaryKey.length > 0
        ? `declare PRIMARY KEY (${table.primaryKey.join(', ')}), or ALTER TABLE ${qualifiedTable(s)} REPLICA IDENTITY FULL upstream so every change carries whole rows`
        : `add a primary key upstream, or ALTER TABLE ${qualifiedTable(s)} REPLICA IDENTITY FULL so every change carries whole rows`,
    });
  }
}
