/**
 * after_read = 'archive' | 'delete': what a file source does with files once the batch that read them
 * is committed. Never earlier: a batch re-run from offsets/N after a crash must find its files where
 * they were. Moving or deleting is idempotent (a file already gone is skipped), since after a crash
 * it is done again for the last committed batch.
 */
import { copyFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { log } from '../../util/log.js';
import { archivedPath } from './partitions.js';
import { makeDir } from '../../util/make-dir.js';

export const AFTER_READ_VALUES = ['keep', 'archive', 'delete'] as const;
export type AfterRead = (typeof AFTER_READ_VALUES)[number];

export interface AfterReadSettings {
  readonly afterRead: AfterRead;
  /** Absolute; set when afterRead is 'archive'. */
  readonly archivePath: string | undefined;
  /** The glob's fixed base directory: archived files keep their path below it. */
  readonly base: string;
}

/** Archives or deletes `files`; returns how many it handled (gone ones not counted). */
export async function releaseFiles(files: readonly string[], s: AfterReadSettings): Promise<number> {
  if (s.afterRead === 'keep') return 0;
  let handled = 0;
  for (const file of files) {
    try {
      if (s.afterRead === 'delete') await unlink(file);
      else await moveFile(file, archivedPath(file, s.base, s.archivePath!));
      handled += 1;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
  }
  if (handled > 0) log.debug({ files: handled, afterRead: s.afterRead }, 'released processed files');
  return handled;
}

/** Moves a file, creating the directory it goes to; across file systems by copy and delete. */
export async function moveFile(from: string, to: string): Promise<void> {
  await makeDir(dirname(to));
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    // another file system: copy, then delete the original
    await copyFile(from, to);
    await unlink(from);
  }
}
