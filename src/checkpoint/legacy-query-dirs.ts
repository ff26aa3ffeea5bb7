/**
 * Data directories written before query-dir.ts kept each checkpoint under queries/<name>/, the name
 * itself. At start-up such a directory is renamed to the query's new directory, so the query resumes
 * where it was. Only a name that was one plain path component is moved: what a name like `..` or
 * `a/b` made is not a directory of its own inside queries/, and is left where it is (the query then
 * starts from the beginning of its sources).
 */
import { lstat, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../util/errors.js';
import { readJson } from './atomic-file.js';
import { QUERIES_DIR, queryDir, queryDirName } from './query-dir.js';

export interface LegacyMove {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** 'moved', or why it was not: both directories exist, and neither is touched. */
  readonly outcome: 'moved' | 'both exist';
}

/** Moves the legacy directory of each of `names` that has one; returns what it did. */
export async function migrateLegacyQueryDirs(dataDir: string, names: readonly string[]): Promise<LegacyMove[]> {
  const root = join(dataDir, QUERIES_DIR);
  let entries: Set<string>;
  try {
    entries = new Set(await readdir(root));
  } catch {
    return [];
  }
  const moves: LegacyMove[] = [];
  for (const name of names) {
    // The listing, not a lookup, decides: on a case-insensitive file system queries/hot would also
    // answer for "HOT", whose checkpoint it is not.
    if (!isPlainComponent(name) || !entries.has(name)) continue;
    const from = join(root, name);
    const to = queryDir(dataDir, name);
    if (!(await isDirectory(from)) || !(await belongsTo(from, name))) continue;
    if (entries.has(queryDirName(name))) {
      moves.push({ name, from, to, outcome: 'both exist' });
      continue;
    }
    try {
      await rename(from, to);
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot move the checkpoint of "${name}" from ${from} to ${to}: ${(e as Error).message}`, {
        cause: e,
        hint: `move it by hand (mv ${JSON.stringify(from)} ${JSON.stringify(to)}), then start again`,
      });
    }
    moves.push({ name, from, to, outcome: 'moved' });
  }
  return moves;
}

/** A name the old code could have joined into one directory directly inside queries/. */
function isPlainComponent(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\p{Cc}]/u.test(name) && Buffer.byteLength(name) <= 255;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Its metadata.json, when there is one, names this query (not another that shared the path). */
async function belongsTo(dir: string, name: string): Promise<boolean> {
  try {
    const meta = await readJson<{ name?: unknown }>(join(dir, 'metadata.json'));
    return meta === undefined || meta.name === name;
  } catch {
    return false;
  }
}
