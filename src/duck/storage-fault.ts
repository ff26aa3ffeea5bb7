/**
 * Whether an error means that the storage under a database refused a write (a full disk, a file
 * system gone read-only, an I/O error), and how badly: DuckDB answers a failed write in one of two
 * ways, and each asks for something else of Eddy.
 *
 * - `write_failed`: the statement failed and DuckDB rolled it back ("Failed to commit: Could not
 *   write file ...wal: No space left on device"); the database stays usable.
 * - `invalidated`: DuckDB raised a FATAL error (a checkpoint that could not be written) and from
 *   then on answers every statement on every connection of the instance with "database has been
 *   invalidated" until the instance is closed and opened again.
 *
 * Neither says for sure whether the failed statement's transaction is on disk (a COMMIT whose WAL
 * write went through and whose checkpoint failed, or an fsync that failed after the write): callers
 * that must know read it back after reopening (docs/design/20261203-storage-faults.md).
 */

export type StorageFaultKind = 'write_failed' | 'invalidated';

export interface StorageFault {
  readonly kind: StorageFaultKind;
  /** What the storage said, for users: "No space left on device", "Read-only file system", ... */
  readonly reason: string;
}

/** The operating system's errors that mean the storage cannot take writes for now. */
const ERRNO_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EIO: 'Input/output error',
  EFBIG: 'File too large',
};

/** The same errors as DuckDB spells them inside its messages (strerror's text). */
const REASON_TEXT = /No space left on device|Disk quota exceeded|Read-only file system|Input\/output error|File too large/i;

/**
 * DuckDB's messages for a write it could not make, whatever the cause it names. A COPY that cannot
 * create its file says "Cannot open file" (seen from the file sink on a read-only file system).
 */
const DUCK_WRITE_FAILED = /(Could not|Cannot) (write|fsync|truncate|create|open|remove|move)\b.*file|Failed to commit|Failed to create checkpoint|Failed to write/i;

const DUCK_INVALIDATED = /database has been invalidated|^FATAL Error|FATAL Error:/i;

/** Classifies an error (and the errors it wraps, via `cause`); null when it is not a storage fault. */
export function storageFault(e: unknown): StorageFault | null {
  let kind: StorageFaultKind | null = null;
  let reason: string | null = null;
  for (let error = e, depth = 0; error !== undefined && error !== null && depth < 8; depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code in ERRNO_REASONS) {
      kind ??= 'write_failed';
      reason ??= ERRNO_REASONS[code]!;
    }
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
    if (DUCK_INVALIDATED.test(message)) kind = 'invalidated';
    else if (DUCK_WRITE_FAILED.test(message) && REASON_TEXT.test(message)) kind ??= 'write_failed';
    if (reason === null) reason = REASON_TEXT.exec(message)?.[0] ?? null;
    error = error instanceof Error ? error.cause : undefined;
  }
  if (kind === null) return null;
  return { kind, reason: reason ?? (kind === 'invalidated' ? 'the database was invalidated by a failed write' : 'a write failed') };
}
