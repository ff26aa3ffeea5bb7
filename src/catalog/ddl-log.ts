/**
 * The persisted catalog: an append-only log of accepted DDL at <data-dir>/catalog/ddl.log, one JSON
 * line per statement. Each line is appended and fsynced before the statement reports success, so a
 * crash loses at most the statement in flight; a torn last line (the crash hit mid-write) is ignored
 * on replay with a warning and cut off so later appends start on a clean line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EddyError } from '../util/errors.js';
import { Catalog } from './catalog.js';
import type { CatalogObject } from './types.js';

export type DdlRecord =
  | {
      readonly op: 'create';
      readonly at: string;
      readonly sql: string;
      /** The object as stored, with its options resolved (e.g. a nexmark source's base time). */
      readonly object: CatalogObject;
      readonly dependsOn: readonly string[];
    }
  | { readonly op: 'drop'; readonly at: string; readonly sql: string; readonly names: readonly string[] }
  | { readonly op: 'alter'; readonly at: string; readonly sql: string; readonly name: string; readonly action: 'pause' | 'resume' };

/** What a data directory's log holds, applied: the catalog, which queries are paused, and warnings. */
export interface ReplayedCatalog {
  readonly catalog: Catalog;
  readonly paused: ReadonlySet<string>;
  readonly records: readonly DdlRecord[];
  readonly warnings: readonly string[];
}

export class DdlLog {
  private constructor(readonly file: string, private fd: number | null) {}

  /** Opens (creating if needed) the log of a data directory. */
  static open(dataDir: string): DdlLog {
    const file = path.join(dataDir, 'catalog', 'ddl.log');
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return new DdlLog(file, fs.openSync(file, 'a+'));
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot open the DDL log ${file}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Reads every record. A last line that is incomplete or not valid JSON is a torn write: it is
   * reported as a warning and truncated away. A bad line before the last is corruption: an error.
   */
  read(): { records: DdlRecord[]; warnings: string[] } {
    const text = fs.readFileSync(this.file, 'utf8');
    const warnings: string[] = [];
    const lines = text.split('\n');
    // A complete file ends with '\n', so the last element is ''. Anything else is a torn line.
    const tail = lines.pop() ?? '';
    const records: DdlRecord[] = [];
    let validBytes = 0;
    lines.forEach((line, i) => {
      if (line.trim() === '') {
        validBytes += Buffer.byteLength(line) + 1;
        return;
      }
      const record = parseRecord(line);
      if (!record) {
        if (i === lines.length - 1 && tail === '') {
          warnings.push(`ignored a torn last line of ${this.file} (line ${i + 1}): the statement it recorded was not completed`);
          return;
        }
        throw new EddyError('IO_ERROR', `the DDL log ${this.file} is corrupt at line ${i + 1}`, {
          hint: 'restore the data directory from a backup, or remove the damaged line',
        });
      }
      records.push(record);
      validBytes += Buffer.byteLength(line) + 1;
    });
    if (tail !== '') warnings.push(`ignored a torn last line of ${this.file} (line ${lines.length + 1}): the statement it recorded was not completed`);
    if (validBytes < Buffer.byteLength(text)) fs.truncateSync(this.file, validBytes);
    return { records, warnings };
  }

  /** Appends one record and fsyncs it. */
  append(record: DdlRecord): void {
    if (this.fd === null) throw new EddyError('INTERNAL', 'the DDL log is closed');
    try {
      fs.writeSync(this.fd, `${JSON.stringify(record, jsonReplacer)}\n`);
      fs.fsyncSync(this.fd);
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot write the DDL log ${this.file}: ${(e as Error).message}`, { cause: e });
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Applies records in order to a fresh catalog. */
export function replayRecords(records: readonly DdlRecord[]): { catalog: Catalog; paused: Set<string> } {
  const catalog = new Catalog();
  const paused = new Set<string>();
  for (const r of records) {
    if (r.op === 'create') {
      // A name that is already there means an earlier drop was lost; the later create wins.
      if (catalog.has(r.object.name)) catalog.remove(r.object.name);
      catalog.add(r.object, r.dependsOn.filter((d) => catalog.has(d)));
    } else if (r.op === 'drop') {
      for (const name of r.names) {
        catalog.remove(name);
        paused.delete(name);
      }
    } else if (r.action === 'pause') paused.add(r.name);
    else paused.delete(r.name);
  }
  return { catalog, paused };
}

/** Opens a data directory's log and rebuilds the catalog it records. */
export function replayDdlLog(log: DdlLog): ReplayedCatalog {
  const { records, warnings } = log.read();
  const { catalog, paused } = replayRecords(records);
  return { catalog, paused, records, warnings };
}

function parseRecord(line: string): DdlRecord | null {
  try {
    const value = JSON.parse(line) as DdlRecord;
    if (typeof value !== 'object' || value === null || !['create', 'drop', 'alter'].includes(value.op)) return null;
    return value;
  } catch {
    return null;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
