/**
 * The messages of PostgreSQL's pgoutput plugin (protocol version 1), as logical replication sends them
 * inside XLogData: a transaction is Begin, its changes, Commit (pgoutput sends it when it commits, so
 * changes arrive in commit order). Tuples are in text format: each column is null, unchanged TOAST
 * (an UPDATE that did not touch a large value) or its text.
 * https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
 */
import type { Lsn } from './lsn.js';

/** A column value: its text, null, or `unchanged` (a TOASTed value the UPDATE left alone, not sent). */
export type TupleValue = string | null | { readonly unchanged: true };

export const UNCHANGED: TupleValue = Object.freeze({ unchanged: true as const });

export interface RelationColumn {
  readonly name: string;
  /** Part of the replica identity (the key a DELETE or UPDATE carries). */
  readonly key: boolean;
  readonly typeOid: number;
}

export type PgOutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: Lsn; readonly xid: number }
  | { readonly tag: 'commit'; readonly commitLsn: Lsn; readonly endLsn: Lsn }
  | { readonly tag: 'relation'; readonly relid: number; readonly schema: string; readonly name: string; readonly replicaIdentity: string; readonly columns: readonly RelationColumn[] }
  | { readonly tag: 'insert'; readonly relid: number; readonly row: readonly TupleValue[] }
  /** `old` is the key (replica identity DEFAULT/INDEX, only when the key changed) or the whole old row (FULL). */
  | { readonly tag: 'update'; readonly relid: number; readonly old: readonly TupleValue[] | null; readonly oldIsKey: boolean; readonly row: readonly TupleValue[] }
  | { readonly tag: 'delete'; readonly relid: number; readonly old: readonly TupleValue[]; readonly oldIsKey: boolean }
  | { readonly tag: 'truncate'; readonly relids: readonly number[] }
  /** Origin, Type and logical messages: nothing a source reads. */
  | { readonly tag: 'other'; readonly code: string };

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    return this.buf.readUInt8(this.at++);
  }
  char(): string {
    return String.fromCharCode(this.byte());
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  uint32(): number {
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigUInt64BE(this.at);
    this.at += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.at);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('pgoutput: truncated value');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  tuple(): TupleValue[] {
    const n = this.int16();
    const values: TupleValue[] = [];
    for (let i = 0; i < n; i++) {
      const kind = this.char();
      if (kind === 'n') values.push(null);
      else if (kind === 'u') values.push(UNCHANGED);
      else if (kind === 't') values.push(this.bytes(this.int32()).toString('utf8'));
      else throw new Error(`pgoutput: unknown tuple value kind '${kind}' (binary tuples are not requested)`);
    }
    return values;
  }
}

/** Decodes one pgoutput message; a malformed one throws (the stream cannot be trusted past it). */
export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const code = r.char();
  switch (code) {
    case 'B': {
      const finalLsn = r.int64();
      r.int64(); // commit time
      return { tag: 'begin', finalLsn, xid: r.uint32() };
    }
    case 'C': {
      r.byte(); // flags
      const commitLsn = r.int64();
      const endLsn = r.int64();
      return { tag: 'commit', commitLsn, endLsn };
    }
    case 'R': {
      const relid = r.uint32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = r.char();
      const n = r.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.byte();
        const colName = r.cstring();
        const typeOid = r.uint32();
        r.int32(); // type modifier
        columns.push({ name: colName, key: (flags & 1) === 1, typeOid });
      }
      return { tag: 'relation', relid, schema, name, replicaIdentity, columns };
    }
    case 'I': {
      const relid = r.uint32();
      const kind = r.char();
      if (kind !== 'N') throw new Error(`pgoutput: insert without a new tuple ('${kind}')`);
      return { tag: 'insert', relid, row: r.tuple() };
    }
    case 'U': {
      const relid = r.uint32();
      let kind = r.char();
      let old: TupleValue[] | null = null;
      let oldIsKey = false;
      if (kind === 'K' || kind === 'O') {
        oldIsKey = kind === 'K';
        old = r.tuple();
        kind = r.char();
      }
      if (kind !== 'N') throw new Error(`pgoutput: update without a new tuple ('${kind}')`);
      return { tag: 'update', relid, old, oldIsKey, row: r.tuple() };
    }
    case 'D': {
      const relid = r.uint32();
      const kind = r.char();
      if (kind !== 'K' && kind !== 'O') throw new Error(`pgoutput: delete without an old tuple ('${kind}')`);
      return { tag: 'delete', relid, old: r.tuple(), oldIsKey: kind === 'K' };
    }
    case 'T': {
      const n = r.int32();
      r.byte(); // options (CASCADE, RESTART IDENTITY)
      const relids: number[] = [];
      for (let i = 0; i < n; i++) relids.push(r.uint32());
      return { tag: 'truncate', relids };
    }
    default:
      return { tag: 'other', code };
  }
}
