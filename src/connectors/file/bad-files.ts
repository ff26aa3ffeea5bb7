/**
 * Files a batch cannot read: gone, unopenable, cut off or corrupt (readable.ts), or refused by
 * their format's reader (a Parquet file without its footer, a JSON document that never ends). Each is
 * located and counted, then skipped, fails the batch, or is moved aside, as on_error says ('skip' |
 * 'fail' | 'dead_letter'), as bad rows are. A file gone since its batch was planned is skipped and
 * noted whatever on_error says: deleting a bad file is how a user unblocks a batch that lists it.
 *
 * The format readers read a batch's files in one call, which fails whole when one file is bad; the
 * call is then repeated on halves of the list, down to the files at fault. A failed call leaves
 * nothing in the target, so each good file's rows land there once, in file order.
 */
import { duckErrorFamily, withoutFamily } from '../../duck/error-codes.js';
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { BAD_ROW_EXAMPLES } from '../formats/bad-rows.js';
import { displayFile, FilesUnreadable } from '../formats/format.js';
import type { LoadStats, SkippedInput } from '../types.js';
import { moveFile } from './after-read.js';
import { checkFile, type FileFault } from './readable.js';
import { archivedPath } from './partitions.js';

export const FILE_ON_ERROR_VALUES = ['skip', 'fail', 'dead_letter'] as const;
export type FileOnError = (typeof FILE_ON_ERROR_VALUES)[number];

export interface BadFileSettings {
  readonly source: string;
  readonly onError: FileOnError;
  /** Absolute; set when onError is 'dead_letter'. */
  readonly deadLetterPath: string | undefined;
  /** The glob's fixed base directory: a file moved aside keeps its path below it. */
  readonly base: string;
  /** Dropped from file names in messages. */
  readonly displayPrefix: string;
}

/** Files checked at once (each check inflates a gzip file on libuv's thread pool). */
const CHECKS_AT_ONCE = 4;

/** The faults of those of `files` that cannot be read to their end, by file. */
export async function checkFiles(files: readonly string[]): Promise<Map<string, FileFault>> {
  const faults = new Map<string, FileFault>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      const fault = await checkFile(file);
      if (fault) faults.set(file, fault);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_AT_ONCE, files.length) }, worker));
  return faults;
}

/** DuckDB's error families that can be about a file's bytes (the others are about the query or the host). */
const FILE_FAULT_FAMILIES: ReadonlySet<string> = new Set(['IO', 'Invalid Input', 'Conversion', 'Parser']);

/** What DuckDB's error on one file says about it; null when the fault is not the file's (memory, disk). */
function faultOf(duckMessage: string): FileFault | null {
  const first = duckMessage.split('\n')[0]!;
  if (/No files found that match the pattern/.test(first)) return { reason: 'missing', message: 'the file is gone' };
  if (!FILE_FAULT_FAMILIES.has(duckErrorFamily(first) ?? '') || /No space left|Out of Memory|could not allocate|Interrupt/i.test(first)) return null;
  return { reason: 'unreadable', message: withoutFamily(first).trim() };
}

/**
 * Loads `files` with `load`, which reads them all or fails with FilesUnreadable; around files it
 * fails on, alone, it loads the others. Returns their stats and the files at fault.
 */
export async function loadAroundBadFiles(files: readonly string[], load: (files: readonly string[]) => Promise<LoadStats>): Promise<{ stats: LoadStats; bad: SkippedInput[] }> {
  const stats: LoadStats[] = [];
  const bad: SkippedInput[] = [];
  const loadOrSplit = async (part: readonly string[]): Promise<void> => {
    if (part.length === 0) return;
    try {
      stats.push(await load(part));
    } catch (e) {
      if (!(e instanceof FilesUnreadable)) throw e;
      if (part.length === 1) {
        const fault = faultOf(e.reason);
        if (fault === null) throw e;
        bad.push({ input: part[0]!, ...fault });
        return;
      }
      const half = Math.ceil(part.length / 2);
      await loadOrSplit(part.slice(0, half));
      await loadOrSplit(part.slice(half));
    }
  };
  await loadOrSplit(files);
  return { stats: sumStats(stats), bad };
}

export function sumStats(stats: readonly LoadStats[]): LoadStats {
  return {
    rows: stats.reduce((n, s) => n + s.rows, 0),
    badRows: stats.reduce((n, s) => n + s.badRows, 0),
    badRowExamples: stats.flatMap((s) => s.badRowExamples).slice(0, BAD_ROW_EXAMPLES),
  };
}

function describe(s: BadFileSettings, f: SkippedInput): string {
  return `file ${displayFile(f.input, s.displayPrefix)}${f.reason === 'missing' ? ' is gone since its batch was planned' : ` cannot be read: ${f.message}`}`;
}

/**
 * Applies on_error to files that cannot be read: under 'fail' throws BAD_INPUT_ROW naming the first
 * unreadable one; under 'dead_letter' moves the unreadable ones to the dead-letter directory. Missing
 * files are only noted. Logs each.
 */
export async function settleBadFiles(s: BadFileSettings, bad: readonly SkippedInput[]): Promise<void> {
  const unreadable = bad.filter((f) => f.reason === 'unreadable');
  if (s.onError === 'fail' && unreadable.length > 0) {
    const more = unreadable.length > 1 ? ` (and ${unreadable.length - 1} more unreadable file${unreadable.length > 2 ? 's' : ''})` : '';
    throw new EddyError('BAD_INPUT_ROW', `source "${s.source}": ${describe(s, unreadable[0]!)}${more}`, {
      hint: "replace or remove the file (a batch skips files gone since it was planned), or create the source with on_error = 'skip' or 'dead_letter'",
    });
  }
  for (const f of bad) {
    if (f.reason === 'unreadable' && s.onError === 'dead_letter') {
      const to = archivedPath(f.input, s.base, s.deadLetterPath!);
      try {
        await moveFile(f.input, to);
        log.warn({ source: s.source, file: f.input, movedTo: to, reason: f.message }, 'moved an unreadable file to the dead-letter directory');
      } catch (e) {
        log.warn({ source: s.source, file: f.input, reason: f.message, err: (e as Error).message }, 'skipped an unreadable file; moving it to the dead-letter directory failed');
      }
    } else {
      log.warn({ source: s.source, file: f.input, reason: f.message }, f.reason === 'missing' ? 'skipped a file gone since its batch was planned' : 'skipped an unreadable file');
    }
  }
}
