/**
 * Who a process is, beyond its pid: pids are reused once they wrap (quickly on a busy machine, and
 * at every container restart), so a pid alone cannot tell a lock's dead owner from an unrelated
 * process that got its number. On Linux a process is its pid plus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot), within one boot (/proc/sys/kernel/random/boot_id).
 * Elsewhere both read as null and callers fall back to the pid.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks after boot at which the process started, or null where /proc cannot tell. */
  readonly start: number | null;
  /** The boot the start time counts from, or null where /proc cannot tell. */
  readonly boot: string | null;
}

export function currentBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** When process `pid` started (clock ticks since boot), or null if it is gone or /proc is absent. */
export function processStartTicks(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command in parentheses, which may itself hold spaces and ')': count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[22 - 3]);
  return Number.isSafeInteger(start) ? start : null;
}

export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStartTicks(process.pid), boot: currentBootId() };
}

/** Whether some process has `pid` (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that recorded `owner` may still be running. Within the boot it recorded, only
 * the process with its pid and its start time is it: none with that pid, or one that started at
 * another time (a reused pid), or a record without a start time, names no running owner. A record
 * from another boot names none either. A record without a boot id (a lock from before start times
 * were kept, or from a system without /proc), or a system without /proc, leaves the pid alone to
 * judge by.
 */
export function mayBeRunning(owner: ProcessIdentity): boolean {
  const boot = currentBootId();
  if (owner.boot === null || boot === null) return pidAlive(owner.pid);
  if (owner.boot !== boot || !pidAlive(owner.pid)) return false;
  const start = processStartTicks(owner.pid);
  // Alive but its /proc entry unreadable (hidepid): nothing proves it is another process.
  if (start === null) return true;
  return owner.start === start;
}
