/**
 * A small tmpfs as a data directory, for tests of real storage faults: fill it up (ENOSPC) and
 * empty it again. Needs root with CAP_SYS_ADMIN (CI runs so); elsewhere such tests skip.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let probed: string | false | undefined;

/** Why tmpfs cannot be mounted here (a skip reason), or false. */
export function cannotMount(): string | false {
  if (probed !== undefined) return probed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    probed = false;
  } catch (e) {
    probed = `mounting a file system is not permitted here (needs root with CAP_SYS_ADMIN): ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return probed;
}

export interface Tmpfs {
  readonly dir: string;
  /** Writes a file until the file system is full; returns its bytes. */
  fill(): number;
  /** Removes what fill() wrote. */
  unfill(): void;
  /** Unmounts (lazily: a process that still holds files keeps them until it lets go). */
  unmount(): void;
}

export function mountTmpfs(dir: string, sizeMb: number): Tmpfs {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024, 1);
      let bytes = 0;
      try {
        for (;;) bytes += fs.writeSync(fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      } finally {
        fs.closeSync(fd);
      }
      // a page may still be free below a block's size: take it too
      try {
        fs.appendFileSync(filler, Buffer.alloc(4096, 1));
      } catch {
        // full
      }
      return bytes;
    },
    unfill() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } catch {
        // not mounted
      }
    },
  };
}
