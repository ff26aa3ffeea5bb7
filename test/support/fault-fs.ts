/**
 * A FUSE mirror of a directory whose storage fails on demand (test/support/fault-fs.mjs): a data
 * directory that goes read-only under a running server, or whose checkpoint's last fsync fails.
 * Needs /dev/fuse and the right to mount (root with CAP_SYS_ADMIN, as CI runs); elsewhere such
 * tests skip.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotMount } from './tmpfs.js';

const SERVER = fileURLToPath(new URL('./fault-fs.mjs', import.meta.url));

export type FaultMode = 'rw' | 'ro' | 'header-fsync';

/** Why a FUSE file system cannot be mounted here (a skip reason), or false. */
export function cannotMountFuse(): string | false {
  if (!fs.existsSync('/dev/fuse')) return 'no /dev/fuse on this machine';
  return cannotMount();
}

export interface FaultFs {
  readonly dir: string;
  setMode(mode: FaultMode): void;
  /** Unmounts (lazily: a process still holding files keeps them until it lets go) and ends the server. */
  unmount(): Promise<void>;
}

/** Mounts a mirror of `backing` (created if missing) at `mountPoint`. */
export async function mountFaultFs(backing: string, mountPoint: string): Promise<FaultFs> {
  fs.mkdirSync(backing, { recursive: true });
  fs.mkdirSync(mountPoint, { recursive: true });
  const modeFile = `${backing}.mode`;
  fs.writeFileSync(modeFile, 'rw');
  const child: ChildProcess = spawn(process.execPath, [SERVER, path.resolve(backing), path.resolve(mountPoint), modeFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const until = Date.now() + 10_000;
  while (!out.includes('mounted')) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the fault file system did not mount: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    dir: mountPoint,
    setMode(mode) {
      fs.writeFileSync(modeFile, mode);
    },
    async unmount() {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
      } catch {
        // not mounted
      }
      child.kill('SIGKILL');
      await exited;
    },
  };
}
