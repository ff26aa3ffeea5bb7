/**
 * Where a continuous query keeps its checkpoint: <data-dir>/queries/<dir>/. A query's name is
 * whatever a client quoted (`..`, `a/b`, unicode, any case), so it never becomes a path component
 * itself: <dir> is the name's letters, digits and `_` (others replaced by `_`, at most 40) for people
 * reading the directory, then `-` and 16 hex digits of the SHA-256 of the exact name. Names that
 * differ only in case or in replaced characters get different hashes, hence different directories,
 * also on case-insensitive file systems; every <dir> is ASCII, under 60 bytes, and never `.` or `..`.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { EddyError } from '../util/errors.js';

export const QUERIES_DIR = 'queries';

const PREFIX_CHARS = 40;
const HASH_HEX_DIGITS = 16;

/** The directory name of query `name` under queries/ (also the base of its DuckDB alias). */
export function queryDirName(name: string): string {
  const prefix = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, PREFIX_CHARS);
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
  return `${prefix}-${hash}`;
}

/** The directory that holds every query's checkpoint directory. */
export function queriesRoot(dataDir: string): string {
  return join(dataDir, QUERIES_DIR);
}

export function queryDir(dataDir: string, name: string): string {
  return join(queriesRoot(dataDir), queryDirName(name));
}

/** Deletes query `name`'s checkpoint directory (state, offsets, commits, metadata). */
export async function removeQueryDir(dataDir: string, name: string): Promise<void> {
  await removeInsideQueries(dataDir, queryDir(dataDir, name));
}

/**
 * The one way a checkpoint directory is deleted: `dir` must resolve to a direct child of
 * <data-dir>/queries/, so that no name, bug or stale path can make a recursive removal reach the
 * data directory itself or anything outside it.
 */
export async function removeInsideQueries(dataDir: string, dir: string): Promise<void> {
  const root = resolve(dataDir, QUERIES_DIR);
  const target = resolve(dir);
  const rel = relative(root, target);
  if (rel === '' || rel === '.' || rel === '..' || rel.includes(sep) || rel.includes('/')) {
    throw new EddyError('INTERNAL', `refusing to delete ${target}: it is not a query directory directly inside ${root}`);
  }
  await rm(target, { recursive: true, force: true });
}
