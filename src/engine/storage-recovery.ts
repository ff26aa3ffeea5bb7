/**
 * The engine's answer to a failed write (docs/design/20261203-storage-faults.md). After DuckDB
 * invalidated its database, or a write's outcome is in doubt, the engine closes the DuckDB instance
 * and opens it again, retrying with backoff while the storage stays unwritable, and resumes every
 * query from its checkpoint. This file holds the state and the loop; the engine supplies the steps.
 * While it runs, statements wait (bounded) or get STORAGE_UNAVAILABLE; /healthz says why.
 */
import type { Connection } from '../duck/index.js';
import type { StorageFault } from '../duck/storage-fault.js';
import { EddyError } from '../util/errors.js';
import { log } from '../util/log.js';

/** What /healthz, SHOW QUERIES and /metrics report about the storage. */
export interface StorageHealth {
  /** `failing`: writes fail but the database is open (a full disk); `recovering`: it is being reopened. */
  readonly state: 'ok' | 'failing' | 'recovering';
  readonly reason: string | null;
  /** When the current trouble began (ISO time), or null. */
  readonly since: string | null;
  /** Reopen attempts that failed in the current recovery. */
  readonly attempts: number;
  /** Recoveries completed since start. */
  readonly recoveries: number;
}

export interface RecoverySteps {
  /**
   * Closes the database and everything on it, opens it again and runs `readBack` on it before any
   * query or statement can write; then resumes the queries. Throws when the storage refuses.
   */
  reopen(readBack: (conn: Connection) => Promise<void>): Promise<void>;
  /** After a failed reopen: opens the database read-only, runs `readBack`, closes it again. */
  readOnly(readBack: (conn: Connection) => Promise<void>): Promise<void>;
}

/** A question about what the database holds, answered once it can be read again. */
interface ReadBack {
  readonly run: (conn: Connection) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** The recovery's timing (the CLI reads EDDY_STORAGE_RETRY_MIN_MS, _MAX_MS and EDDY_STORAGE_WAIT_MS). */
export interface StorageRecoveryTuning {
  /** The first wait between reopen attempts, ms (default 100); it doubles up to retryMaxMs. */
  readonly retryMinMs?: number | undefined;
  /** The longest wait between reopen attempts, ms (default 5000). */
  readonly retryMaxMs?: number | undefined;
  /** How long a statement arriving during a recovery waits for it before STORAGE_UNAVAILABLE, ms (default 2000). */
  readonly waitMs?: number | undefined;
}

export class StorageRecovery {
  private fault: StorageFault | null = null;
  private since: Date | null = null;
  private attempts = 0;
  private completed = 0;
  private loop: Promise<void> | null = null;
  private readonly readBacks: ReadBack[] = [];
  private readonly waiters = new Set<() => void>();
  /** The last write that failed while the database stayed open (cleared by the next that succeeds). */
  private failing: { fault: StorageFault; since: Date } | null = null;
  private closed = false;

  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly waitMs: number;

  constructor(private readonly steps: RecoverySteps, tuning: StorageRecoveryTuning = {}) {
    this.retryMinMs = tuning.retryMinMs ?? 100;
    this.retryMaxMs = tuning.retryMaxMs ?? 5000;
    this.waitMs = tuning.waitMs ?? 2000;
  }

  get recovering(): boolean {
    return this.loop !== null;
  }

  health(): StorageHealth {
    if (this.loop !== null) {
      return { state: 'recovering', reason: this.fault?.reason ?? null, since: this.since?.toISOString() ?? null, attempts: this.attempts, recoveries: this.completed };
    }
    if (this.failing) {
      return { state: 'failing', reason: this.failing.fault.reason, since: this.failing.since.toISOString(), attempts: 0, recoveries: this.completed };
    }
    return { state: 'ok', reason: null, since: null, attempts: 0, recoveries: this.completed };
  }

  /** A write failed but the database is still open (DuckDB rolled it back): health says so. */
  writeFailed(fault: StorageFault): void {
    this.failing ??= { fault, since: new Date() };
  }

  /** A write went through: the storage takes writes again. */
  writeSucceeded(): void {
    this.failing = null;
  }

  /** Starts reopening the database (once, however many report the fault); resolves when it is open. */
  request(fault: StorageFault): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.loop === null) {
      this.fault = fault;
      this.since = new Date();
      this.attempts = 0;
      log.warn({ reason: fault.reason, kind: fault.kind }, 'storage fault: reopening the database');
      this.loop = this.run().finally(() => {
        this.loop = null;
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      });
    }
    return this.loop;
  }

  /**
   * Reopens the database and answers `question` from what it holds, before anything else can
   * write to it; from a read-only open when the storage still refuses writes.
   */
  readBack<T>(fault: StorageFault, question: (conn: Connection) => Promise<T>): Promise<T> {
    const answer = new Promise<T>((resolve, reject) => {
      this.readBacks.push({ run: question, resolve: resolve as (v: unknown) => void, reject });
    });
    void this.request(fault);
    return answer;
  }

  /** Waits up to `ms` (default: the tuning's waitMs) for a recovery in progress; false when it is still going on. */
  async whenReady(ms: number = this.waitMs): Promise<boolean> {
    if (this.loop === null) return true;
    return new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(this.loop === null);
      }, ms);
      this.waiters.add(wake);
    });
  }

  /** The error for a statement that cannot run while the database is being reopened. */
  unavailable(what: string): EddyError {
    const reason = this.fault?.reason ?? this.failing?.fault.reason ?? 'a write failed';
    return new EddyError('STORAGE_UNAVAILABLE', `${what}: the data directory cannot be written for now (${reason}); Eddy is reopening its database`, {
      hint: 'nothing of this statement was done; retry later',
    });
  }

  /** Engine.close: the loop stops at its next attempt; questions still open are refused. */
  close(): void {
    this.closed = true;
    for (const q of this.readBacks.splice(0)) q.reject(new EddyError('OBJECT_IN_USE', 'the engine is closed'));
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      // the questions are taken when the database can be read, so that one asked meanwhile is in
      let asked: ReadBack[] = [];
      const readBack = async (conn: Connection): Promise<void> => {
        asked = [...asked, ...this.readBacks.splice(0)];
        await answer(conn, asked);
      };
      try {
        await this.steps.reopen(readBack);
        // asked while the queries were being rebuilt: reopen again to answer from a fresh look
        if (this.readBacks.length > 0) continue;
        this.completed++;
        this.failing = null;
        log.info({ attempts: this.attempts, ms: Date.now() - (this.since?.getTime() ?? Date.now()) }, 'storage recovered: database reopened, queries resumed');
        return;
      } catch (e) {
        this.attempts++;
        if (asked.some((q) => !settled.has(q)) || this.readBacks.length > 0) {
          // an append waits to learn whether its rows were stored: read what the file holds
          await this.steps.readOnly(readBack).catch((ro: unknown) => {
            log.warn({ err: (ro as Error).message }, 'cannot open the database read-only either');
          });
        }
        this.readBacks.unshift(...asked.filter((q) => !settled.has(q)));
        const wait = Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(this.attempts - 1, 16));
        log.warn({ err: (e as Error).message, attempt: this.attempts, retryMs: wait }, 'cannot reopen the database yet; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

/** Questions answered, so that a later attempt does not ask them again. */
const settled = new WeakSet<ReadBack>();

async function answer(conn: Connection, questions: readonly ReadBack[]): Promise<void> {
  for (const q of questions) {
    if (settled.has(q)) continue;
    const value = await q.run(conn); // a failure here fails the attempt, and the question is asked again
    settled.add(q);
    q.resolve(value);
  }
}
