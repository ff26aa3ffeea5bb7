/**
 * A postgres-cdc offset: where a query stands in its slot's input, which is the snapshot's rows (in
 * the order they were copied) and then the changes of the transactions committed after the
 * snapshot's consistent point, in commit order. A transaction is named by its commit LSN; a batch
 * may end inside a large one (`partial`), and the server is only told to forget what is before
 * `confirm`, the end of the last transaction read whole, once an offset is committed.
 */
import { formatLsn, parseLsn, type Lsn } from './lsn.js';

export interface CdcOffset {
  /** The snapshot's consistent point, or the commit LSN of the last transaction read (whole or in part); 0/0 before the slot. */
  readonly lsn: string;
  /** The end of the last transaction read whole (or the consistent point): what the server may forget once this is committed. */
  readonly confirm: string;
  /** How many changes of transaction `lsn` were read, when not all of them. */
  readonly partial?: number;
  /** Snapshot rows read, while the snapshot is being read; absent once all of it was. */
  readonly snapshot?: number;
}

export const INITIAL_OFFSET: CdcOffset = { lsn: '0/0', confirm: '0/0', snapshot: 0 };

/** Before the slot and its snapshot exist. */
export function isInitial(o: CdcOffset): boolean {
  return o.lsn === '0/0' && o.snapshot === 0;
}

export function cdcOffset(value: unknown): CdcOffset {
  const o = value as Partial<CdcOffset> | null;
  if (o === null || typeof o !== 'object' || typeof o.lsn !== 'string' || typeof o.confirm !== 'string') {
    throw new Error(`not a postgres-cdc offset: ${JSON.stringify(value)}`);
  }
  return o as CdcOffset;
}

/** A change's place: its transaction's commit LSN and its number in the transaction (from 1). */
export interface ChangePlace {
  readonly commitLsn: Lsn;
  readonly index: number;
}

/** Whether the offset includes the change (snapshot offsets include none). */
export function covers(o: CdcOffset, c: ChangePlace): boolean {
  if (o.snapshot !== undefined) return false;
  const lsn = parseLsn(o.lsn);
  if (c.commitLsn !== lsn) return c.commitLsn < lsn;
  return o.partial === undefined || c.index <= o.partial;
}

/** Whether (a, b] holds anything: the offsets stand at different rows or changes. */
export function samePlace(a: CdcOffset, b: CdcOffset): boolean {
  return a.lsn === b.lsn && a.partial === b.partial && a.snapshot === b.snapshot;
}

/** The offset after a whole transaction. */
export function afterTransaction(commitLsn: Lsn, endLsn: Lsn): CdcOffset {
  return { lsn: formatLsn(commitLsn), confirm: formatLsn(endLsn) };
}
