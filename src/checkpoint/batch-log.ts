/**
 * The offset log and the commit log of a query: one JSON file per batch under offsets/ and
 * commits/. offsets/N is written (and fsynced) before batch N reads its sources; commits/N after
 * its output is delivered.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic-file.js';

export interface OffsetEntry {
  readonly batchId: number;
  /** Per source: the batch's (start, end] offsets. */
  readonly sources: Readonly<Record<string, { readonly start: unknown; readonly end: unknown }>>;
  /** The batch's watermark (epoch microseconds), or null before the first one. */
  readonly watermark?: number | null;
  readonly timestamp: string;
}

export interface CommitEntry {
  readonly batchId: number;
  readonly timestamp: string;
  readonly outputRows: number;
}

export class BatchLog<T> {
  constructor(readonly dir: string) {}

  private file(batchId: number): string {
    return join(this.dir, `${batchId}.json`);
  }

  async write(batchId: number, entry: T): Promise<void> {
    await writeJsonAtomic(this.file(batchId), entry);
  }

  async read(batchId: number): Promise<T | undefined> {
    return readJson<T>(this.file(batchId));
  }

  async batchIds(): Promise<number[]> {
    try {
      const names = await readdir(this.dir);
      return names.filter((n) => /^\d+\.json$/.test(n)).map((n) => Number(n.slice(0, -5))).sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** Deletes entries older than the last `keep` batches. */
  async retain(keep: number): Promise<void> {
    const ids = await this.batchIds();
    for (const id of ids.slice(0, Math.max(0, ids.length - keep))) await rm(this.file(id), { force: true });
  }
}

export function queryDir(dataDir: string, name: string): string {
  return join(dataDir, 'queries', name);
}

export function offsetLog(dataDir: string, name: string): BatchLog<OffsetEntry> {
  return new BatchLog<OffsetEntry>(join(queryDir(dataDir, name), 'offsets'));
}

export function commitLog(dataDir: string, name: string): BatchLog<CommitEntry> {
  return new BatchLog<CommitEntry>(join(queryDir(dataDir, name), 'commits'));
}
