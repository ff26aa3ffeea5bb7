/**
 * The changes a replication stream delivered and no committed offset covers yet, in commit order,
 * each turned into a keyed command over the source's declared columns: +1 (the key's row is now
 * this), -1 (the key's row is deleted), 0 (TRUNCATE: every row is deleted). A change that cannot be
 * read (an unchanged TOAST value the server did not send, a column gone upstream) keeps its error,
 * so the load counts and locates it under on_error.
 */
import type { Column } from '../../catalog/types.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { afterTransaction, covers, type CdcOffset, type ChangePlace } from './offsets.js';
import type { PgOutputMessage, TupleValue } from './pgoutput.js';

export type Command = 1 | -1 | 0;

export interface BufferedChange extends ChangePlace {
  /** The end of the last whole transaction before this one's. */
  readonly before: Lsn;
  readonly command: Command;
  /** The declared columns' text, in order (null for a TRUNCATE). */
  readonly values: readonly (string | null)[] | null;
  readonly error: string | null;
  /** Approximate bytes held. */
  readonly size: number;
}

interface Relation {
  readonly qualified: string;
  readonly mine: boolean;
  /** For each declared column, its place in the relation's tuples (-1: gone upstream). */
  readonly places: readonly number[];
  readonly columnNames: readonly string[];
}

interface OpenTransaction {
  readonly finalLsn: Lsn;
  readonly before: Lsn;
  count: number;
}

export class ChangeBuffer {
  private changes: BufferedChange[] = [];
  private head = 0;
  private bytes = 0;
  private readonly relations = new Map<number, Relation>();
  private open: OpenTransaction | null = null;
  /** The position after the last whole transaction received. */
  private whole: CdcOffset;
  /** How far the server has sent the WAL: a commit's end, or a keepalive's position. */
  private serverAt: Lsn = 0n;

  constructor(
    private readonly table: { readonly schema: string; readonly name: string },
    private readonly columns: readonly Column[],
    private readonly key: readonly string[],
    /** Where reading started: changes it covers are ones a committed batch read (the server re-sends them). */
    private readonly floor: CdcOffset,
  ) {
    this.whole = { lsn: floor.lsn, confirm: floor.confirm, ...(floor.partial !== undefined ? { partial: floor.partial } : {}) };
  }

  /** The server said it has sent everything before `lsn` (a keepalive). */
  sentUpTo(lsn: Lsn): void {
    if (lsn > this.serverAt) this.serverAt = lsn;
  }

  /** Whether everything the server wrote before `lsn` was received. */
  hasReceived(lsn: Lsn): boolean {
    return this.open === null && this.serverAt >= lsn;
  }

  get size(): { changes: number; bytes: number } {
    return { changes: this.changes.length - this.head, bytes: this.bytes };
  }

  /** Whether a transaction has changes received but not its commit. */
  get openChanges(): number {
    return this.open?.count ?? 0;
  }

  /** The position after everything received whole; with `partial`, also the open transaction's changes so far. */
  received(partial: boolean): CdcOffset {
    const o = this.open;
    if (partial && o !== null && o.count > 0) return { lsn: formatLsn(o.finalLsn), confirm: formatLsn(o.before), partial: o.count };
    return this.whole;
  }

  /** Takes one decoded message. */
  take(msg: PgOutputMessage): void {
    switch (msg.tag) {
      case 'begin':
        this.open = { finalLsn: msg.finalLsn, before: parseLsn(this.whole.confirm), count: 0 };
        return;
      case 'commit':
        if (this.open !== null && !this.covered(this.open.finalLsn, Number.MAX_SAFE_INTEGER)) this.whole = afterTransaction(msg.commitLsn, msg.endLsn);
        this.open = null;
        this.sentUpTo(msg.endLsn);
        return;
      case 'relation':
        this.relations.set(msg.relid, this.relation(msg));
        return;
      case 'insert':
        this.push(msg.relid, (rel) => [this.command(rel, 1, msg.row, null)]);
        return;
      case 'update':
        this.push(msg.relid, (rel) => this.update(rel, msg.old, msg.oldIsKey, msg.row));
        return;
      case 'delete':
        this.push(msg.relid, (rel) => [this.command(rel, -1, msg.old, null)]);
        return;
      case 'truncate':
        if (msg.relids.some((id) => this.relations.get(id)?.mine)) this.add({ command: 0, values: null, error: null });
        return;
      default:
        return;
    }
  }

  private covered(commitLsn: Lsn, index: number): boolean {
    return covers(this.floor, { commitLsn, index });
  }

  private relation(msg: Extract<PgOutputMessage, { tag: 'relation' }>): Relation {
    const names = msg.columns.map((c) => c.name);
    return {
      qualified: `${msg.schema}.${msg.name}`,
      mine: msg.schema === this.table.schema && msg.name === this.table.name,
      places: this.columns.map((c) => names.indexOf(c.name)),
      columnNames: names,
    };
  }

  private push(relid: number, make: (rel: Relation) => Omit<BufferedChange, keyof ChangePlace | 'before' | 'size'>[]): void {
    const rel = this.relations.get(relid);
    if (!rel?.mine) return;
    for (const c of make(rel)) this.add(c);
  }

  private add(c: Omit<BufferedChange, keyof ChangePlace | 'before' | 'size'>): void {
    const o = this.open;
    if (o === null) return; // changes come inside transactions
    o.count++;
    if (this.covered(o.finalLsn, o.count)) return;
    const size = 64 + (c.values?.reduce((n, v) => n + (v?.length ?? 0), 0) ?? 0);
    this.changes.push({ ...c, commitLsn: o.finalLsn, index: o.count, before: o.before, size });
    this.bytes += size;
  }

  /** An update whose key changed deletes the old key's row first. */
  private update(rel: Relation, old: readonly TupleValue[] | null, oldIsKey: boolean, row: readonly TupleValue[]): Omit<BufferedChange, keyof ChangePlace | 'before' | 'size'>[] {
    const out: Omit<BufferedChange, keyof ChangePlace | 'before' | 'size'>[] = [];
    if (old !== null) {
      const keyChanged = this.key.some((k) => {
        const i = rel.columnNames.indexOf(k);
        return i >= 0 && old[i] !== row[i] && typeof old[i] !== 'object';
      });
      if (keyChanged) out.push(this.command(rel, -1, old, null));
    }
    out.push(this.command(rel, 1, row, oldIsKey ? null : old));
    return out;
  }

  private command(rel: Relation, command: 1 | -1, tuple: readonly TupleValue[], old: readonly TupleValue[] | null): Omit<BufferedChange, keyof ChangePlace | 'before' | 'size'> {
    let error: string | null = null;
    const values = this.columns.map((c, i) => {
      const at = rel.places[i]!;
      if (at < 0) {
        error ??= `column "${c.name}" is not in ${rel.qualified} any more (its columns now: ${rel.columnNames.join(', ')})`;
        return null;
      }
      const v = tuple[at] ?? null;
      if (v === null || typeof v === 'string') return v;
      const before = old?.[at];
      if (typeof before === 'string' || before === null) return before ?? null;
      // an UPDATE that left a TOASTed value alone: the server sends it only with REPLICA IDENTITY FULL
      error ??= `column "${c.name}": the UPDATE kept a large (TOASTed) value the server did not send; ALTER TABLE ${rel.qualified} REPLICA IDENTITY FULL makes it send the value`;
      return null;
    });
    return { command, values, error };
  }

  /** The changes in (start, end], in order. */
  range(start: CdcOffset, end: CdcOffset): BufferedChange[] {
    const out: BufferedChange[] = [];
    for (let i = this.head; i < this.changes.length; i++) {
      const c = this.changes[i]!;
      if (!covers(end, c)) break;
      if (!covers(start, c)) out.push(c);
    }
    return out;
  }

  /** The first `n` changes after `start` (fewer when fewer are held). */
  firstAfter(start: CdcOffset, n: number): BufferedChange[] {
    const out: BufferedChange[] = [];
    for (let i = this.head; i < this.changes.length && out.length < n; i++) {
      const c = this.changes[i]!;
      if (!covers(start, c)) out.push(c);
    }
    return out;
  }

  /** Forgets what a committed offset covers. */
  trim(committed: CdcOffset): void {
    while (this.head < this.changes.length && covers(committed, this.changes[this.head]!)) {
      this.bytes -= this.changes[this.head]!.size;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.changes.length) {
      this.changes = this.changes.slice(this.head);
      this.head = 0;
    }
  }

  /** Nothing received is uncommitted, and no transaction is open. */
  idle(committed: CdcOffset): boolean {
    return this.open === null && this.head === this.changes.length && committed.lsn === this.whole.lsn && committed.partial === this.whole.partial;
  }
}
