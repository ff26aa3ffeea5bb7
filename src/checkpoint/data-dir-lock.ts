/**
 * One process owns a data directory: <data-dir>/eddy.lock holds the owner's pid. Taking the lock
 * creates the file exclusively; a lock whose pid is no longer alive (a killed process) is stale and
 * taken over; a live owner is an error naming it.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { EddyError } from '../util/errors.js';

export const LOCK_FILE = 'eddy.lock';

export class DataDirLock {
  private released = false;

  private constructor(readonly path: string) {}

  /** Takes the lock of `dataDir` (which must exist) for this process. */
  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx');
        try {
          fs.writeSync(fd, `${process.pid}\n`);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return new DataDirLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new EddyError('IO_ERROR', `cannot create the lock file ${path}: ${(e as Error).message}`, { cause: e });
        }
      }
      const owner = readOwner(path);
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new EddyError('OBJECT_IN_USE', `the data directory ${dataDir} is in use by another Eddy process (pid ${owner})`, {
          hint: `stop that process, or use another --data-dir; if no such process exists, delete ${path}`,
        });
      }
      // Stale (its owner died without releasing it), or left by this very process: take it over.
      fs.rmSync(path, { force: true });
    }
    throw new EddyError('OBJECT_IN_USE', `cannot take the lock ${path}: another process keeps taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readOwner(this.path) === process.pid) fs.rmSync(this.path, { force: true });
  }
}

function readOwner(path: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
