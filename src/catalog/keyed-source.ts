/**
 * Keyed sources: a source with a PRIMARY KEY is an upsert stream. Its batch relation holds, besides
 * its columns, each row's command (`__op`: +1 the key's row is now this one, -1 the key's row is
 * deleted) and its position (`__pos`: a push source's sequence number, a Kafka offset), which orders
 * the commands for one key within a batch. The plan's upsert operator keeps the current row per key.
 */
import type { Column, InputObject } from './types.js';

export const KEYED_COMMAND = '__op';
export const KEYED_POSITION = '__pos';

export function isKeyed(input: InputObject): boolean {
  return input.kind === 'source' && (input.primaryKey?.length ?? 0) > 0;
}

/** The columns of an input's batch relation: a source's (with command and position when keyed), or a table's changes with their weights. */
export function batchColumns(input: InputObject): readonly Column[] {
  if (input.kind === 'table' || input.kind === 'materialized_view') return [...input.columns, { name: KEYED_COMMAND, type: 'INTEGER' }];
  if (isKeyed(input)) return [...input.columns, { name: KEYED_COMMAND, type: 'INTEGER' }, { name: KEYED_POSITION, type: 'BIGINT' }];
  return input.columns;
}
