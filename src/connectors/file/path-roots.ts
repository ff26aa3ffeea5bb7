/**
 * Confines file-connector paths to configured roots (`eddy serve --file-root DIR`), so that a user who
 * can run SQL over HTTP or psql cannot read or write arbitrary files of the server. DuckDB itself is
 * confined to the same roots (Database.open's allowedDirectories), which covers pull queries too.
 */
import * as fs from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { EddyError } from '../../util/errors.js';

const GLOB_CHARS = /[*?[{]/;

/**
 * The part of a path (possibly a glob) that names a fixed location: the segments before the first
 * segment holding a wildcard. `..` segments are resolved first, so `root/*\/../../etc` cannot escape.
 */
function fixedPrefix(path: string): string {
  const absolute = resolve(path);
  const segments = absolute.split(sep);
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  if (firstGlob < 0) return absolute;
  return segments.slice(0, firstGlob).join(sep) || sep;
}

/** Resolves symbolic links in the part of a path that exists (the rest may not have been created yet). */
function realPrefix(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return path;
    rest.unshift(existing.slice(parent.length).replace(/^[\\/]+/, ''));
    existing = parent;
  }
  try {
    return resolve(fs.realpathSync(existing), ...rest);
  } catch {
    return path;
  }
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Throws INVALID_PARAMETER, naming the path and the roots, when `roots` is given and `path` (absolute,
 * a file, directory or glob) is outside all of them; INSUFFICIENT_PRIVILEGE when the roots are empty
 * (no file access) or the path is inside the data directory `dataDir`, whose checkpoints and catalog
 * a file source or sink must never read or overwrite. Without roots (undefined) any path is allowed.
 */
export function requirePathInRoots(what: string, path: string, roots: readonly string[] | undefined, dataDir?: string): void {
  if (roots === undefined) return;
  if (roots.length === 0) {
    throw new EddyError('INSUFFICIENT_PRIVILEGE', `${what}: file sources and sinks are disabled on this server`, {
      hint: 'start eddy serve with --file-root DIR to allow files under DIR',
    });
  }
  if (!isAbsolute(path)) path = resolve(path);
  // compared with symbolic links resolved, so a link inside a root cannot lead outside it
  const real = realPrefix(fixedPrefix(path));
  if (dataDir !== undefined && within(real, realPrefix(resolve(dataDir)))) {
    throw new EddyError('INSUFFICIENT_PRIVILEGE', `${what}: path "${path}" is inside the data directory ${resolve(dataDir)}`, {
      hint: 'read and write files outside the data directory, which holds the checkpoints and the catalog',
    });
  }
  if (roots.some((root) => within(real, realPrefix(resolve(root))))) return;
  throw new EddyError('INVALID_PARAMETER', `${what}: path "${path}" is outside the allowed file roots (${roots.map((r) => resolve(r)).join(', ')})`, {
    hint: 'use a path under one of the roots, or start the server with another --file-root',
  });
}
