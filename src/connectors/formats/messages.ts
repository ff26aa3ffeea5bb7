/**
 * Messages (Kafka records) into rows. Each message's value is one row: a JSON object (keys by
 * column name), one CSV record, or the raw value as a single VARCHAR or BLOB column. Metadata columns,
 * declared by name, take the message's `_key`, `_topic`, `_partition`, `_offset` and `_timestamp`.
 *
 * Messages are appended to a staging table with DuckDB's appender, then parsed and cast per column in
 * SQL (StagedRows), so a bad message is located by topic, partition and offset and its column.
 */
import type { Column } from '../../catalog/types.js';
import { quoteIdent, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import { tempName } from './temp-name.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows, type OnError } from './bad-rows.js';
import { castValue, type Casts } from './casts.js';
import { isTextType } from './format.js';
import { jsonRowErrorSql, jsonStagedColumn } from './json.js';
import { StagedRows, type BadRowDetail, type StagedColumn } from './staged-rows.js';

export const MESSAGE_FORMATS = ['json', 'csv', 'raw'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

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

function valueColumns(req: MessageLoadRequest): { rowError: string; columns: StagedColumn[] } {
  const nullValue = `CASE WHEN __value IS NULL THEN 'the message has no value (a tombstone)' END`;
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
    const from = `(SELECT *, ${rowError} AS __row_error${json} FROM ${quoteIdent(raw)})`;
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
