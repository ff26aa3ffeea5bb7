/**
 * Confines file-connector paths to configured roots (`eddy serve --file-root DIR`), so that a user who
 * can run SQL over HTTP or psql cannot read or write arbitrary files of the server.
 */
import * as fs from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { EddyError } from '../util/errors.js';

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
 * a file, directory or glob) is outside all of them. No roots (undefined or empty) allows any path.
 */
export function requirePathInRoots(what: string, path: string, roots: readonly string[] | undefined): void {
  if (roots === undefined || roots.length === 0) return;
  if (!isAbsolute(path)) path = resolve(path);
  // compared with symbolic links resolved, so a link inside a root cannot lead outside it
  const real = realPrefix(fixedPrefix(path));
  if (roots.some((root) => within(real, realPrefix(resolve(root))))) return;
  throw new EddyError('INVALID_PARAMETER', `${what}: path "${path}" is outside the allowed file roots (${roots.map((r) => resolve(r)).join(', ')})`, {
    hint: 'use a path under one of the roots, or start the server with another --file-root',
  });
}
