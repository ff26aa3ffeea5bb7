/** Result rows as DataRow values and COPY text lines. */
import type { ResultColumn } from '../../duck/index.js';
import { binaryValue, hasBinary, pgTypeOf, textValue, type PgType } from './pg-types.js';
import type { FieldDescription } from './backend-messages.js';

/** The format of each column: what the client asked for, text where Eddy has no binary encoding. */
export function columnFormats(columns: readonly ResultColumn[], requested: readonly number[]): number[] {
  return columns.map((c, i) => {
    const want = requested.length === 0 ? 0 : requested.length === 1 ? requested[0]! : (requested[i] ?? 0);
    return want === 1 && hasBinary(pgTypeOf(c.type)) ? 1 : 0;
  });
}

export function fieldDescriptions(columns: readonly ResultColumn[], formats: readonly number[]): FieldDescription[] {
  return columns.map((c, i) => {
    const t = pgTypeOf(c.type);
    return { name: c.name, typeOid: t.oid, typeSize: t.size, format: formats[i] ?? 0 };
  });
}

export class RowEncoder {
  private readonly types: PgType[];

  constructor(columns: readonly ResultColumn[], private readonly formats: readonly number[] = []) {
    this.types = columns.map((c) => pgTypeOf(c.type));
  }

  values(row: readonly unknown[]): (Buffer | null)[] {
    return this.types.map((type, i) => {
      const value = row[i];
      if (value === null || value === undefined) return null;
      if (this.formats[i] === 1) {
        const binary = binaryValue(value, type);
        if (binary) return binary;
      }
      return Buffer.from(textValue(value, type)!, 'utf8');
    });
  }

  /** One line of COPY's text format: tab-separated, \N for NULL, backslash escapes. */
  copyLine(row: readonly unknown[]): Buffer {
    const fields = this.types.map((type, i) => {
      const text = textValue(row[i], type);
      return text === null ? '\\N' : text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
    });
    return Buffer.from(`${fields.join('\t')}\n`, 'utf8');
  }
}
