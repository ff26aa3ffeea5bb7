/**
 * DuckDB column types as PostgreSQL type OIDs, and values in PostgreSQL's text (and a few binary)
 * formats. Types PostgreSQL has no match for (STRUCT, MAP, UNION, ENUM) travel as text.
 */
import { EddyError } from '../../util/errors.js';

export interface PgType {
  readonly oid: number;
  /** pg_type.typlen: bytes for fixed-size types, -1 for variable size. */
  readonly size: number;
  /** PostgreSQL's name (for format_type and pg_type). */
  readonly name: string;
}

const BASE: Record<string, PgType> = {
  BOOLEAN: { oid: 16, size: 1, name: 'boolean' },
  TINYINT: { oid: 21, size: 2, name: 'smallint' },
  SMALLINT: { oid: 21, size: 2, name: 'smallint' },
  UTINYINT: { oid: 21, size: 2, name: 'smallint' },
  INTEGER: { oid: 23, size: 4, name: 'integer' },
  USMALLINT: { oid: 23, size: 4, name: 'integer' },
  BIGINT: { oid: 20, size: 8, name: 'bigint' },
  UINTEGER: { oid: 20, size: 8, name: 'bigint' },
  UBIGINT: { oid: 1700, size: -1, name: 'numeric' },
  HUGEINT: { oid: 1700, size: -1, name: 'numeric' },
  UHUGEINT: { oid: 1700, size: -1, name: 'numeric' },
  DECIMAL: { oid: 1700, size: -1, name: 'numeric' },
  FLOAT: { oid: 700, size: 4, name: 'real' },
  DOUBLE: { oid: 701, size: 8, name: 'double precision' },
  VARCHAR: { oid: 25, size: -1, name: 'text' },
  DATE: { oid: 1082, size: 4, name: 'date' },
  TIME: { oid: 1083, size: 8, name: 'time without time zone' },
  'TIME WITH TIME ZONE': { oid: 1266, size: 12, name: 'time with time zone' },
  TIMESTAMP: { oid: 1114, size: 8, name: 'timestamp without time zone' },
  TIMESTAMP_S: { oid: 1114, size: 8, name: 'timestamp without time zone' },
  TIMESTAMP_MS: { oid: 1114, size: 8, name: 'timestamp without time zone' },
  TIMESTAMP_NS: { oid: 1114, size: 8, name: 'timestamp without time zone' },
  'TIMESTAMP WITH TIME ZONE': { oid: 1184, size: 8, name: 'timestamp with time zone' },
  INTERVAL: { oid: 1186, size: 16, name: 'interval' },
  UUID: { oid: 2950, size: 16, name: 'uuid' },
  JSON: { oid: 114, size: -1, name: 'json' },
  BLOB: { oid: 17, size: -1, name: 'bytea' },
  BIT: { oid: 1560, size: -1, name: 'bit' },
};

/** Array type OIDs by element OID. */
const ARRAY_OF: Record<number, PgType> = {
  16: { oid: 1000, size: -1, name: 'boolean[]' },
  21: { oid: 1005, size: -1, name: 'smallint[]' },
  23: { oid: 1007, size: -1, name: 'integer[]' },
  20: { oid: 1016, size: -1, name: 'bigint[]' },
  1700: { oid: 1231, size: -1, name: 'numeric[]' },
  700: { oid: 1021, size: -1, name: 'real[]' },
  701: { oid: 1022, size: -1, name: 'double precision[]' },
  25: { oid: 1009, size: -1, name: 'text[]' },
  1082: { oid: 1182, size: -1, name: 'date[]' },
  1114: { oid: 1115, size: -1, name: 'timestamp without time zone[]' },
  1184: { oid: 1185, size: -1, name: 'timestamp with time zone[]' },
  1186: { oid: 1187, size: -1, name: 'interval[]' },
  2950: { oid: 2951, size: -1, name: 'uuid[]' },
  114: { oid: 199, size: -1, name: 'json[]' },
  17: { oid: 1001, size: -1, name: 'bytea[]' },
};

export const TEXT: PgType = BASE.VARCHAR!;
export const INT8: PgType = BASE.BIGINT!;

/** The PostgreSQL type of a DuckDB type as DuckDB spells it (`DECIMAL(10,2)`, `INTEGER[]`, `STRUCT(...)`). */
export function pgTypeOf(duckType: string): PgType {
  const t = duckType.trim().toUpperCase();
  const list = /^(.*)\[\d*\]$/s.exec(t);
  if (list) return ARRAY_OF[pgTypeOf(list[1]!).oid] ?? { oid: 1009, size: -1, name: 'text[]' };
  const base = t.replace(/\(.*\)$/s, '').trim();
  return BASE[base] ?? (base === 'TIMESTAMPTZ' ? BASE['TIMESTAMP WITH TIME ZONE']! : TEXT);
}

/** The PostgreSQL name of a type with its modifier, like format_type (`numeric(10,2)`). */
export function pgTypeName(duckType: string): string {
  const t = pgTypeOf(duckType);
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(duckType.trim());
  return decimal ? `numeric(${decimal[1]},${decimal[2]})` : t.name;
}

/** A value in PostgreSQL's text format (null stays null: SQL NULL). */
export function textValue(value: unknown, type: PgType): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
      return String(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return type.oid === 17 ? byteaHex(value) : value;
    default:
      break;
  }
  if (Array.isArray(value)) return arrayLiteral(value, type);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** `{1,2,"a b",NULL}`: elements quoted when they hold separators, quotes, spaces or are empty. */
function arrayLiteral(items: readonly unknown[], type: PgType): string {
  const element = ARRAY_ELEMENT[type.oid] ?? TEXT;
  const parts = items.map((item) => {
    const text = textValue(item, element);
    if (text === null) return 'NULL';
    if (Array.isArray(item)) return text;
    return text === '' || /[{},"\\\s]/.test(text) || text.toUpperCase() === 'NULL' ? `"${text.replace(/["\\]/g, '\\$&')}"` : text;
  });
  return `{${parts.join(',')}}`;
}

const ARRAY_ELEMENT: Record<number, PgType> = Object.fromEntries(
  Object.entries(ARRAY_OF).map(([elementOid, arrayType]) => [arrayType.oid, Object.values(BASE).find((b) => b.oid === Number(elementOid))!]),
);

/** DuckDB prints a BLOB with `\xHH` escapes for bytes that are not printable ASCII; PostgreSQL prints bytea as hex. */
function byteaHex(duckText: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < duckText.length; i++) {
    if (duckText[i] === '\\' && duckText[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(duckText.slice(i + 2, i + 4))) {
      bytes.push(parseInt(duckText.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(duckText.charCodeAt(i) & 0xff);
  }
  return `\\x${Buffer.from(bytes).toString('hex')}`;
}

/**
 * A value in binary format, for the types a driver may ask binary results for; null when the type
 * has no binary encoding here (the caller then answers in text).
 */
export function binaryValue(value: unknown, type: PgType): Buffer | null {
  const n = typeof value === 'bigint' ? value : typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  switch (type.oid) {
    case 16:
      return Buffer.from([value ? 1 : 0]);
    case 21: {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Number(n));
      return b;
    }
    case 23: {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(n));
      return b;
    }
    case 20: {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(typeof n === 'number' ? Math.trunc(n) : n));
      return b;
    }
    case 700: {
      const b = Buffer.alloc(4);
      b.writeFloatBE(Number(n));
      return b;
    }
    case 701: {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(n));
      return b;
    }
    case 25:
    case 1043:
    case 114:
      return Buffer.from(String(value), 'utf8');
    default:
      return null;
  }
}

/** Whether binaryValue can encode this type. */
export const hasBinary = (type: PgType): boolean => [16, 21, 23, 20, 700, 701, 25, 1043, 114].includes(type.oid);

/** The size of a fixed-width binary parameter, by type OID. */
const BINARY_WIDTHS: Readonly<Record<number, number>> = { 16: 1, 21: 2, 23: 4, 20: 8, 700: 4, 701: 8 };

/**
 * Reads a binary parameter of a known type as text (drivers send some parameters binary). A
 * fixed-width value of the wrong size is refused, as PostgreSQL does, rather than read past its end.
 */
export function binaryParameterText(data: Buffer, oid: number, index = 1): string {
  const width = BINARY_WIDTHS[oid];
  if (width !== undefined && data.length !== width) {
    throw new EddyError('INVALID_BINARY_REPRESENTATION', `incorrect binary data format in bind parameter ${index}: ${data.length} bytes for a ${width}-byte type`);
  }
  switch (oid) {
    case 16:
      return data[0] ? 'true' : 'false';
    case 21:
      return String(data.readInt16BE(0));
    case 23:
      return String(data.readInt32BE(0));
    case 20:
      return data.readBigInt64BE(0).toString();
    case 700:
      return String(data.readFloatBE(0));
    case 701:
      return String(data.readDoubleBE(0));
    case 17:
      return `\\x${data.toString('hex')}`;
    default:
      return data.toString('utf8');
  }
}

/** The DuckDB type to cast a parameter to, from the type OID the client declared (0: none). */
export function duckTypeOfOid(oid: number): string | null {
  const byOid: Record<number, string> = {
    16: 'BOOLEAN', 21: 'SMALLINT', 23: 'INTEGER', 20: 'BIGINT', 700: 'FLOAT', 701: 'DOUBLE',
    25: 'VARCHAR', 1043: 'VARCHAR', 1082: 'DATE', 1083: 'TIME', 1114: 'TIMESTAMP', 1184: 'TIMESTAMPTZ', 1186: 'INTERVAL',
    2950: 'UUID', 114: 'JSON', 3802: 'JSON', 17: 'BLOB',
  };
  return byOid[oid] ?? null;
}
