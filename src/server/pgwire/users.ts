/**
 * The users file of the wire server (`eddy serve --pg-users FILE`): one user per line,
 * `name:secret`, where secret is a PostgreSQL SCRAM-SHA-256 verifier
 * (`SCRAM-SHA-256$4096:salt$StoredKey:ServerKey`, as PostgreSQL's
 * pg_authid.rolpassword holds) or else a plain password (turned into a verifier when read).
 * Blank lines and lines starting with # are ignored.
 */
import * as fs from 'node:fs';
import { EddyError } from '../../util/errors.js';
import { parseVerifier, scramVerifier, type ScramVerifier } from './scram.js';

export type UserVerifiers = ReadonlyMap<string, ScramVerifier>;

export function parseUsers(text: string, file = 'the users file'): UserVerifiers {
  const users = new Map<string, ScramVerifier>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new EddyError('INVALID_PARAMETER', `${file}, line ${i + 1}: expected name:password or name:SCRAM-SHA-256$...`);
    const secret = line.slice(colon + 1);
    users.set(line.slice(0, colon), parseVerifier(secret) ?? scramVerifier(secret));
  });
  return users;
}

export function readUsersFile(file: string): UserVerifiers {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new EddyError('IO_ERROR', `cannot read the users file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseUsers(text, file);
}
