/**
 * `_eddy_manifest`: an append-only JSON-lines log in a file sink's output directory, one line per
 * committed batch: which sink run wrote it and which files (relative to the directory) it holds. A
 * batch counts as written once its line is here; a reader that wants exactly the committed files (also
 * while a crashed writer has not recovered yet) reads them from this log.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../../util/errors.js';

export const MANIFEST_NAME = '_eddy_manifest';

export interface ManifestEntry {
  /** The sink's name. */
  readonly sink: string;
  /** The sink's run: a new one when a sink of the same name is dropped and created again. */
  readonly run: string;
  readonly batch: number;
  readonly rows: number;
  readonly files: readonly string[];
  readonly committed_at: string;
}

/** The entries of a manifest; a torn last line (a crash while appending) is dropped from the file. */
export async function readManifest(dir: string): Promise<ManifestEntry[]> {
  const path = join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EddyError('IO_ERROR', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) await truncate(path, Buffer.byteLength(text.slice(0, complete)));
  const entries: ManifestEntry[] = [];
  for (const line of text.slice(0, complete).split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as ManifestEntry);
    } catch (e) {
      throw new EddyError('IO_ERROR', `${path} holds a line that is not JSON: ${line.slice(0, 80)}`, { cause: e });
    }
  }
  return entries;
}

/**
 * The files of the committed batches in a directory's manifest (paths relative to the directory), for
 * a reader that polls it: each call reads only what was appended since the last one, so polling a
 * long-lived sink's directory does not re-read its whole history. Nothing is changed, and a torn last
 * line (a writer that crashed while appending, and has not recovered yet) is not a committed batch.
 */
export class CommittedFiles {
  private readonly files = new Set<string>();
  /** Bytes of complete lines read so far, and the file they were read from. */
  private readBytes = 0;
  private inode: number | null = null;

  constructor(private readonly dir: string) {}

  /** The committed files so far, or null while the directory has no manifest. */
  async current(): Promise<ReadonlySet<string> | null> {
    const path = join(this.dir, MANIFEST_NAME);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new EddyError('IO_ERROR', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const { size, ino } = await handle.stat();
      if (ino !== this.inode || size < this.readBytes) {
        // another manifest (the directory was made anew): start over
        this.files.clear();
        this.readBytes = 0;
        this.inode = ino;
      }
      if (size === this.readBytes) return this.files;
      const buffer = Buffer.alloc(size - this.readBytes);
      await handle.read(buffer, 0, buffer.length, this.readBytes);
      const text = buffer.toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      for (const line of complete.split('\n')) {
        if (line.trim() === '') continue;
        try {
          for (const f of (JSON.parse(line) as ManifestEntry).files) this.files.add(f);
        } catch (e) {
          throw new EddyError('IO_ERROR', `${path} holds a line that is not JSON: ${line.slice(0, 80)}`, { cause: e });
        }
      }
      this.readBytes += Buffer.byteLength(complete);
      return this.files;
    } finally {
      await handle.close();
    }
  }
}

/** Appends one entry as one write, and fsyncs it. */
export async function appendManifest(dir: string, entry: ManifestEntry): Promise<void> {
  const file = await open(join(dir, MANIFEST_NAME), 'a');
  try {
    await file.write(`${JSON.stringify(entry)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}
