/**
 * One process owns a data directory: <data-dir>/eddy.lock names the owner. Node has no flock, so the
 * file records who the owner is precisely enough to tell, after a kill -9, that it is gone even when
 * its pid now belongs to an unrelated process: `{"pid":..,"start":..,"boot":..}`, its pid, its start
 * time and the boot id (process-identity.ts). Taking the lock creates the file exclusively; a lock
 * whose owner is provably not running is stale and taken over; a running owner is an error naming it.
 * Files of the earlier format, the pid alone on one line, are read too and judged by the pid.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { EddyError } from '../util/errors.js';
import { mayBeRunning, ownIdentity, type ProcessIdentity } from './process-identity.js';

export const LOCK_FILE = 'eddy.lock';

export class DataDirLock {
  private released = false;

  private constructor(readonly path: string, private readonly owner: ProcessIdentity) {}

  /** Takes the lock of `dataDir` (which must exist) for this process. */
  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    const self = ownIdentity();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx');
        try {
          fs.writeSync(fd, `${JSON.stringify(self)}\n`);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return new DataDirLock(path, self);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new EddyError('IO_ERROR', `cannot create the lock file ${path}: ${(e as Error).message}`, { cause: e });
        }
      }
      const owner = readOwner(path);
      if (owner !== null && !isSelf(owner, self) && mayBeRunning(owner)) {
        throw new EddyError('OBJECT_IN_USE', `the data directory ${dataDir} is in use by another Eddy process (pid ${owner.pid})`, {
          hint: `stop that process, or use another --data-dir; if no such process exists, delete ${path}`,
        });
      }
      // Stale (its owner died without releasing it), unreadable (torn by a crash while it was
      // written), or left by this very process: take it over.
      fs.rmSync(path, { force: true });
    }
    throw new EddyError('OBJECT_IN_USE', `cannot take the lock ${path}: another process keeps taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const owner = readOwner(this.path);
    if (owner !== null && isSelf(owner, this.owner)) fs.rmSync(this.path, { force: true });
  }
}

/** The owner a lock file names, or null when it names none (empty, torn, garbage). */
export function readOwner(path: string): ProcessIdentity | null {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
  if (/^\d+$/.test(text)) return validPid(Number(text)) ? { pid: Number(text), start: null, boot: null } : null;
  try {
    const o = JSON.parse(text) as Partial<Record<keyof ProcessIdentity, unknown>>;
    if (typeof o.pid !== 'number' || !validPid(o.pid)) return null;
    return {
      pid: o.pid,
      start: typeof o.start === 'number' && Number.isSafeInteger(o.start) ? o.start : null,
      boot: typeof o.boot === 'string' && o.boot !== '' ? o.boot : null,
    };
  } catch {
    return null;
  }
}

function validPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}

function isSelf(owner: ProcessIdentity, self: ProcessIdentity): boolean {
  return owner.pid === self.pid && (owner.start === null || self.start === null || owner.start === self.start);
}
