/**
 * Messages (Kafka records) into rows. Each message's value is one row: a JSON object (keys by
 * column name), one CSV record, or the raw value as a single VARCHAR or BLOB column. Metadata columns,
 * declared by name, take the message's `_key`, `_topic`, `_partition`, `_offset` and `_timestamp`.
 *
 * Messages are appended to a staging table with DuckDB's appender, then parsed and cast per column in
 * SQL (StagedRows), so a bad message is located by topic, partition and offset and its column.
 */
import type { Column } from '../../catalog/types.js';
import { KEYED_COMMAND, KEYED_POSITION } from '../../catalog/keyed-source.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import { tempName } from './temp-name.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows, type OnError } from './bad-rows.js';
import { castValue, type Casts } from './casts.js';
import { isTextType } from './format.js';
import { jsonRowErrorSql, jsonStagedColumn, pointer } from './json.js';
import { StagedRows, type BadRowDetail, type StagedColumn } from './staged-rows.js';

export const MESSAGE_FORMATS = ['json', 'csv', 'raw', 'upsert-json', 'debezium-json'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/**
 * Formats whose messages are changes of keyed rows (the source has a PRIMARY KEY, catalog/keyed-source.ts):
 * - `upsert-json`: the value is the key's row now (JSON, as for 'json'; key columns missing from it
 *   are read from the message key, a JSON object or, for a one-column key, a JSON or plain value);
 *   a message without a value (a tombstone) deletes the key's row.
 * - `debezium-json`: Debezium's change records (`{"before", "after", "op"}`, bare or inside
 *   `"payload"`): c (create), r (snapshot read) and u (update) make `after` the key's row, d deletes
 *   the row of `before`'s key; the tombstone Debezium writes after a delete is skipped. A TIMESTAMP
 *   given as a number is microseconds since the epoch, a DATE as days (Debezium's encodings).
 */
export const KEYED_MESSAGE_FORMATS: readonly MessageFormat[] = ['upsert-json', 'debezium-json'];

/** Columns filled from the message rather than its value. */
export const METADATA_COLUMNS = ['_key', '_topic', '_partition', '_offset', '_timestamp'] as const;

export function isMetadataColumn(name: string): boolean {
  return (METADATA_COLUMNS as readonly string[]).includes(name);
}

export interface Message {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface MessageLoadRequest {
  readonly source: string;
  readonly columns: readonly Column[];
  readonly format: MessageFormat;
  /** CSV field delimiter. */
  readonly delimiter: string;
  readonly target: string;
  readonly onError: OnError;
  readonly casts: Casts;
  /** The source's PRIMARY KEY (keyed formats): rows get their command and position too. */
  readonly key?: readonly string[];
}

export interface MessageLoadResult {
  readonly stats: LoadStats;
  /** Every bad message, located (`file` is `topic/partition`, `line` the offset). */
  readonly bad: readonly BadRowDetail[];
}

function isBlob(type: string): boolean {
  return /^(BLOB|BYTEA|BINARY|VARBINARY)$/i.test(type.trim());
}

/** Checks the declared columns against the format (at CREATE SOURCE). */
export function checkMessageColumns(source: string, columns: readonly Column[], format: MessageFormat): void {
  const value = columns.filter((c) => !isMetadataColumn(c.name));
  if (format === 'raw' && (value.length !== 1 || !(isTextType(value[0]!.type) || isBlob(value[0]!.type)))) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": format 'raw' needs exactly one VARCHAR or BLOB column besides the metadata columns (${METADATA_COLUMNS.join(', ')})`);
  }
  for (const c of columns) {
    if (c.name === '_key' && !(isTextType(c.type) || isBlob(c.type))) {
      throw new EddyError('INVALID_PARAMETER', `source "${source}": column "_key" must be VARCHAR or BLOB, not ${c.type}`);
    }
  }
}

/** A minimal CSV record parser: delimiter, double quotes, "" inside quotes. Null when unbalanced. */
export function parseCsvRecord(text: string, delimiter: string): string[] | null {
  const line = text.replace(/\r?\n$/, '');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length;
      continue;
    } else field += ch;
    i++;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

function metadataColumn(column: Column): StagedColumn {
  switch (column.name) {
    case '_key':
      return isBlob(column.type)
        ? { column, raw: '__key_b64', value: 'from_base64(__key_b64)' }
        : { column, raw: '__key', value: `TRY_CAST(__key AS ${column.type})` };
    case '_topic':
      return { column, raw: '__topic', value: `TRY_CAST(__topic AS ${column.type})` };
    case '_partition':
      return { column, raw: '__partition', value: `TRY_CAST(__partition AS ${column.type})` };
    case '_offset':
      return { column, raw: '__line', value: `TRY_CAST(__line AS ${column.type})` };
    default: {
      const numeric = /^(BIGINT|INT8|LONG|HUGEINT|DOUBLE)$/i.test(column.type.trim());
      return { column, raw: '__ts', value: numeric ? `TRY_CAST(__ts AS ${column.type})` : `TRY_CAST(epoch_ms(__ts) AS ${column.type})` };
    }
  }
}

/** A JSON object of the message key's columns (upsert-json), NULL when the key is missing. */
function keyObjectSql(key: readonly string[]): string {
  const single = key.length === 1 ? `ELSE json_object(${quoteLiteral(key[0]!)}, CASE WHEN json_valid(__key) THEN __key::JSON ELSE to_json(__key) END)` : '';
  return `CASE WHEN __key IS NULL THEN NULL WHEN json_valid(__key) AND json_type(__key::JSON) = 'OBJECT' THEN __key::JSON ${single} END`;
}

/** A staged column read from a Debezium row: its TIMESTAMP and DATE numbers decoded. */
function debeziumColumn(column: Column, casts: Casts): StagedColumn {
  const base = jsonStagedColumn('__j', column, casts);
  const type = column.type.trim().toUpperCase();
  const path = pointer(column.name);
  const numeric = `json_type(__j, ${path}) IN ('UBIGINT', 'BIGINT')`;
  if (type === 'TIMESTAMP') return { ...base, value: `CASE WHEN ${numeric} THEN make_timestamp(json_extract(__j, ${path})::BIGINT) ELSE ${base.value} END` };
  if (type === 'DATE') return { ...base, value: `CASE WHEN ${numeric} THEN DATE '1970-01-01' + json_extract(__j, ${path})::INTEGER ELSE ${base.value} END` };
  return base;
}

/** The command and position of a keyed format's rows, after the source's columns. */
function keyedColumns(): StagedColumn[] {
  return [
    { column: { name: KEYED_COMMAND, type: 'INTEGER' }, raw: '__cmd', value: '__cmd' },
    { column: { name: KEYED_POSITION, type: 'BIGINT' }, raw: '__line', value: '__line' },
  ];
}

/**
 * The staging relation of a keyed format: `__j` the row's JSON object, `__cmd` its command, and
 * `__row_error` what makes a message unreadable.
 */
function keyedFrom(req: MessageLoadRequest, raw: string): string {
  const key = req.key ?? [];
  if (req.format === 'upsert-json') {
    const keyObject = keyObjectSql(key);
    const rowError = `CASE WHEN __value IS NULL AND (${keyObject}) IS NULL THEN 'a tombstone needs a key that names the row to delete' ` +
      `WHEN __value IS NOT NULL THEN ${jsonRowErrorSql('__value')} END`;
    const j = `CASE WHEN __value IS NULL THEN (${keyObject}) WHEN json_valid(__value) THEN json_merge_patch(coalesce((${keyObject}), '{}'::JSON), __value::JSON) END`;
    return `(SELECT *, ${rowError} AS __row_error, ${j} AS __j, CASE WHEN __value IS NULL THEN -1 ELSE 1 END AS __cmd FROM ${quoteIdent(raw)})`;
  }
  const rowError = `coalesce(${jsonRowErrorSql('__value')}, CASE WHEN __dop IS NULL THEN 'a Debezium change record needs "op"' ` +
    `WHEN __dop NOT IN ('c', 'r', 'u', 'd') THEN 'unknown Debezium op "' || __dop || '"' ` +
    `WHEN __dop = 'd' AND json_type(__p, '$.before') IS DISTINCT FROM 'OBJECT' THEN 'a delete ("op": "d") needs "before"' ` +
    `WHEN __dop <> 'd' AND json_type(__p, '$.after') IS DISTINCT FROM 'OBJECT' THEN '"op": "' || __dop || '" needs "after"' END)`;
  const envelope = `(SELECT *, CASE WHEN json_type(__env, '$.payload') = 'OBJECT' THEN __env->'payload' ELSE __env END AS __p FROM ` +
    `(SELECT *, CASE WHEN json_valid(__value) THEN __value::JSON END AS __env FROM ${quoteIdent(raw)} WHERE __value IS NOT NULL))`;
  return `(SELECT *, ${rowError} AS __row_error, CASE WHEN __dop = 'd' THEN __p->'before' ELSE __p->'after' END AS __j, ` +
    `CASE WHEN __dop = 'd' THEN -1 ELSE 1 END AS __cmd FROM (SELECT *, __p->>'op' AS __dop FROM ${envelope}))`;
}

function valueColumns(req: MessageLoadRequest): { rowError: string; columns: StagedColumn[] } {
  const nullValue = `CASE WHEN __value IS NULL THEN 'the message has no value (a tombstone)' END`;
  if (req.format === 'upsert-json' || req.format === 'debezium-json') {
    const key = new Set(req.key ?? []);
    // a delete carries the key alone: NOT NULL holds for the key's columns
    const column = (c: Column): Column => (key.has(c.name) || !c.notNull ? c : { name: c.name, type: c.type });
    const read = req.format === 'debezium-json' ? debeziumColumn : (c: Column, casts: Casts) => jsonStagedColumn('__j', c, casts);
    return {
      rowError: '__row_error',
      columns: [...req.columns.map((c) => (isMetadataColumn(c.name) ? metadataColumn(c) : read(column(c), req.casts))), ...keyedColumns()],
    };
  }
  if (req.format === 'json') {
    return {
      rowError: `coalesce(${nullValue}, ${jsonRowErrorSql('__value')})`,
      columns: req.columns.map((c) => (isMetadataColumn(c.name) ? metadataColumn(c) : jsonStagedColumn('__j', c, req.casts))),
    };
  }
  if (req.format === 'csv') {
    let field = 0;
    return {
      rowError: `coalesce(${nullValue}, __row_error_js)`,
      columns: req.columns.map((c) => {
        if (isMetadataColumn(c.name)) return metadataColumn(c);
        return castValue(c, `json_extract_string(__fields, '$[${field++}]')`, 'VARCHAR', req.casts);
      }),
    };
  }
  return {
    rowError: nullValue,
    columns: req.columns.map((c) => {
      if (isMetadataColumn(c.name)) return metadataColumn(c);
      return isBlob(c.type) ? { column: c, raw: '__value_b64', value: 'from_base64(__value_b64)' } : castValue(c, '__value', 'VARCHAR', req.casts);
    }),
  };
}

/** Loads messages into `req.target`; bad ones are counted and located (and thrown under 'fail'). */
export async function loadMessages(conn: Connection, messages: readonly Message[], req: MessageLoadRequest): Promise<MessageLoadResult> {
  if (messages.length === 0) return { stats: { rows: 0, badRows: 0, badRowExamples: [] }, bad: [] };
  const raw = tempName('messages');
  const blobValue = req.format === 'raw' && req.columns.some((c) => !isMetadataColumn(c.name) && isBlob(c.type));
  const blobKey = req.columns.some((c) => c.name === '_key' && isBlob(c.type));
  const valueCount = req.columns.filter((c) => !isMetadataColumn(c.name)).length;
  let staged: StagedRows | null = null;
  try {
    await conn.run(`CREATE TEMP TABLE ${quoteIdent(raw)} (__file VARCHAR, __line BIGINT, __topic VARCHAR, __partition BIGINT, __ts BIGINT,
      __key VARCHAR, __key_b64 VARCHAR, __value VARCHAR, __value_b64 VARCHAR, __fields VARCHAR, __row_error_js VARCHAR)`);
    const rows = messages.map((m) => {
      let fields: string | null = null;
      let rowError: string | null = null;
      if (req.format === 'csv' && m.value !== null) {
        const parsed = parseCsvRecord(m.value.toString('utf8'), req.delimiter);
        if (parsed === null) rowError = 'unbalanced quotes';
        else if (parsed.length !== valueCount) rowError = `expected ${valueCount} fields, found ${parsed.length}`;
        else fields = JSON.stringify(parsed);
      }
      return [
        `${m.topic}/${m.partition}`,
        BigInt(m.offset),
        m.topic,
        BigInt(m.partition),
        BigInt(m.timestamp),
        m.key?.toString('utf8') ?? null,
        blobKey ? (m.key?.toString('base64') ?? null) : null,
        m.value?.toString('utf8') ?? null,
        blobValue ? (m.value?.toString('base64') ?? null) : null,
        fields,
        rowError,
      ];
    });
    await conn.append(raw, undefined, rows);
    const { rowError, columns } = valueColumns(req);
    const json = req.format === 'json' ? `, CASE WHEN json_valid(__value) THEN __value::JSON END AS __j` : '';
    const keyed = KEYED_MESSAGE_FORMATS.includes(req.format);
    const from = keyed ? keyedFrom(req, raw) : `(SELECT *, ${rowError} AS __row_error${json} FROM ${quoteIdent(raw)})`;
    staged = await StagedRows.create(conn, { from, columns });
    const stats = await checkStagedRows(staged, req.source, req.onError, 'offset');
    const bad = stats.badRows > 0 ? await staged.badRows(stats.badRows) : [];
    await staged.insertGoodRows(req.target);
    return { stats, bad };
  } finally {
    await staged?.drop();
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(raw)}`);
  }
}
