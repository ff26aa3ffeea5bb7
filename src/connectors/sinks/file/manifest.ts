/**
 * `_eddy_manifest`: an append-only JSON-lines log in a file sink's output directory, one line per
 * committed batch: which sink run wrote it and which files (relative to the directory) it holds. A
 * batch counts as written once its line is here; a reader that wants exactly the committed files (also
 * while a crashed writer has not recovered yet) reads them from this log.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../../../util/errors.js';

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
 * The files of the committed batches of the manifest in `dir` (paths relative to `dir`), or null when
 * `dir` has no manifest. For readers: nothing is changed, and a torn last line (a writer that crashed
 * while appending, and has not recovered yet) is not a committed batch.
 */
export async function committedFiles(dir: string): Promise<Set<string> | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_NAME), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EddyError('IO_ERROR', `cannot read ${join(dir, MANIFEST_NAME)}: ${(e as Error).message}`, { cause: e });
  }
  const files = new Set<string>();
  for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (line.trim() === '') continue;
    try {
      for (const f of (JSON.parse(line) as ManifestEntry).files) files.add(f);
    } catch (e) {
      throw new EddyError('IO_ERROR', `${join(dir, MANIFEST_NAME)} holds a line that is not JSON: ${line.slice(0, 80)}`, { cause: e });
    }
  }
  return files;
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
