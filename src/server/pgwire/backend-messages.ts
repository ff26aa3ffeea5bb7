/** Writers for the messages the server sends (PostgreSQL protocol 3.0, "Message Formats"). */
import type { EddyError } from '../../util/errors.js';

/** A field of RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly typeOid: number;
  readonly typeSize: number;
  /** 0 text, 1 binary. */
  readonly format: number;
}

/** Builds one message: a type byte, a length, then the fields. */
class MessageBuilder {
  private readonly parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly type: string) {}

  int8(v: number): this {
    return this.add(Buffer.from([v & 0xff]));
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.add(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.add(b);
  }

  cstring(s: string): this {
    return this.add(Buffer.from(`${s}\0`, 'utf8'));
  }

  add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  build(): Buffer {
    const header = Buffer.alloc(5);
    header.write(this.type, 0, 'latin1');
    header.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([header, ...this.parts], this.size + 5);
  }
}

const msg = (type: string): MessageBuilder => new MessageBuilder(type);

export const authenticationOk = (): Buffer => msg('R').int32(0).build();
export const authenticationSasl = (mechanisms: readonly string[]): Buffer => {
  const m = msg('R').int32(10);
  for (const name of mechanisms) m.cstring(name);
  return m.int8(0).build();
};
export const authenticationSaslContinue = (data: string): Buffer => msg('R').int32(11).add(Buffer.from(data, 'utf8')).build();
export const authenticationSaslFinal = (data: string): Buffer => msg('R').int32(12).add(Buffer.from(data, 'utf8')).build();
export const parameterStatus = (name: string, value: string): Buffer => msg('S').cstring(name).cstring(value).build();
export const backendKeyData = (pid: number, secret: number): Buffer => msg('K').int32(pid).int32(secret).build();
export const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => msg('Z').add(Buffer.from(status, 'latin1')).build();
export const commandComplete = (tag: string): Buffer => msg('C').cstring(tag).build();
export const emptyQueryResponse = (): Buffer => msg('I').build();
export const parseComplete = (): Buffer => msg('1').build();
export const bindComplete = (): Buffer => msg('2').build();
export const closeComplete = (): Buffer => msg('3').build();
export const noData = (): Buffer => msg('n').build();
export const portalSuspended = (): Buffer => msg('s').build();
export const copyDone = (): Buffer => msg('c').build();

export function parameterDescription(oids: readonly number[]): Buffer {
  const m = msg('t').int16(oids.length);
  for (const oid of oids) m.int32(oid);
  return m.build();
}

export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const m = msg('T').int16(fields.length);
  for (const f of fields) m.cstring(f.name).int32(0).int16(0).int32(f.typeOid).int16(f.typeSize).int32(-1).int16(f.format);
  return m.build();
}

/** One row; each value already encoded (null for SQL NULL). */
export function dataRow(values: readonly (Buffer | null)[]): Buffer {
  const m = msg('D').int16(values.length);
  for (const v of values) {
    if (v === null) m.int32(-1);
    else m.int32(v.length).add(v);
  }
  return m.build();
}

/** CopyOutResponse: text format, every column text. */
export function copyOutResponse(columns: number): Buffer {
  const m = msg('H').int8(0).int16(columns);
  for (let i = 0; i < columns; i++) m.int16(0);
  return m.build();
}

export const copyData = (data: Buffer): Buffer => msg('d').add(data).build();

/**
 * ErrorResponse (or NoticeResponse with type 'N'). `position` is the 1-based character index in the
 * query string, which psql turns into its caret under the statement.
 */
export function errorResponse(error: EddyError, position?: number, type: 'E' | 'N' = 'E', severity = 'ERROR'): Buffer {
  const m = msg(type);
  const field = (code: string, value: string): void => {
    m.int8(code.charCodeAt(0)).cstring(value);
  };
  field('S', severity);
  field('V', severity);
  field('C', error.sqlstate);
  field('M', error.message);
  if (error.hint) field('H', error.hint);
  if (position !== undefined && position > 0) field('P', String(position));
  return m.int8(0).build();
}

/** A NOTICE with a message only. */
export function noticeResponse(message: string): Buffer {
  return msg('N').int8(83).cstring('NOTICE').int8(86).cstring('NOTICE').int8(67).cstring('00000').int8(77).cstring(message).int8(0).build();
}
