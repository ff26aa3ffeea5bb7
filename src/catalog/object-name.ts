/**
 * What may name a new catalog object. A name becomes a quoted DuckDB identifier and, hashed, part of
 * file names (src/checkpoint/query-dir.ts), so CREATE refuses:
 * - control characters (NUL ends the text DuckDB's parser reads) and text that is not well-formed
 *   Unicode (a lone surrogate has no UTF-8 form, so two such names could not be told apart);
 * - more than 63 bytes of UTF-8: PostgreSQL's identifier limit, which PostgreSQL truncates to and Eddy
 *   refuses rather than keep a name other than the one written;
 * - a name that differs from an existing object's only in the case of ASCII letters: DuckDB, which
 *   holds the tables and views of both, takes them for one name (`"Hot"` and `hot`).
 * Names replayed from the DDL log are not checked again: what was accepted once stays usable.
 */
import { EddyError, type SqlPosition } from '../util/errors.js';
import { KIND_NAMES } from './catalog.js';
import type { CatalogReader } from './reader.js';
import type { CatalogObjectKind } from './types.js';

export const MAX_NAME_BYTES = 63;

/** Throws the EddyError that says why `name` cannot name a new `kind`; returns when it can. */
export function checkNewObjectName(catalog: CatalogReader, kind: CatalogObjectKind, name: string, position: SqlPosition): void {
  const what = `${KIND_NAMES[kind]} name ${shown(name)}`;
  const control = /\p{Cc}/u.exec(name);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new EddyError('INVALID_NAME', `${what} contains the control character U+${code} at character ${[...name.slice(0, control.index)].length + 1}`, {
      position,
      hint: 'names cannot contain control characters (NUL, tab, newline, ...)',
    });
  }
  if (/\p{Cs}/u.test(name)) {
    throw new EddyError('INVALID_NAME', `${what} is not well-formed Unicode (it contains a lone surrogate)`, { position });
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) {
    throw new EddyError('NAME_TOO_LONG', `${what} is ${bytes} bytes long; a name has at most ${MAX_NAME_BYTES} bytes (UTF-8)`, {
      position,
      hint: 'choose a shorter name (PostgreSQL has the same limit)',
    });
  }
  const folded = foldAsciiCase(name);
  const twin = catalog.list().find((o) => o.name !== name && foldAsciiCase(o.name) === folded);
  if (twin) {
    throw new EddyError('DUPLICATE_OBJECT', `${what} differs from the existing ${KIND_NAMES[twin.kind]} ${shown(twin.name)} only in case`, {
      position,
      hint: 'DuckDB, which holds both, does not tell such names apart: choose another name',
    });
  }
}

function foldAsciiCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The name for a message: escaped (a NUL shows as \u0000) and cut short when long. */
function shown(name: string): string {
  const cut = [...name].length > 40 ? `${[...name].slice(0, 40).join('')}...` : name;
  return JSON.stringify(cut);
}
