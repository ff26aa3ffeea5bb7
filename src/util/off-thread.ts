/**
 * Runs pure, synchronous functions of Eddy's modules on a worker thread when their input is large,
 * so that parsing one client's 10 MB statement does not stop the event loop for every other session.
 * Small inputs stay on the calling thread: a one-row INSERT pays nothing for this.
 *
 * One worker serves the process (the machines are small and DuckDB has the other cores); it starts on
 * first use and holds the process open only while it has work. Arguments and results cross by
 * structured clone; an EddyError thrown there arrives here as the same EddyError. A worker that dies
 * (out of its heap on a pathological statement) fails its tasks with LIMIT_EXCEEDED and is replaced.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EddyError, type ErrorCode } from './errors.js';

/** Inputs of at least this many characters go to the worker (parsing ~30-60 ms at this size). */
export const OFF_THREAD_MIN_CHARS = 16 * 1024;

/**
 * The worker's heap, MB: a statement whose parse needs more fails alone instead of taking the server
 * down. A 16 MB INSERT's parse needs about 500 MB.
 */
let workerHeapMb = 1024;

/**
 * Sets the worker's heap (EngineOptions.parseWorkerHeapMb; `eddy` reads EDDY_PARSE_WORKER_HEAP_MB).
 * One worker serves the process, so the setting is the process's; it applies from the next start of
 * the worker (the first use, or the replacement of one that died).
 */
export function setOffThreadHeapMb(mb: number): void {
  if (!Number.isFinite(mb) || mb <= 0) throw new RangeError(`the off-thread worker's heap must be a positive number of MB, not ${mb}`);
  workerHeapMb = mb;
}

export interface TaskRequest {
  readonly id: number;
  readonly module: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

export type TaskReply =
  | { readonly id: number; readonly result: unknown }
  /** The result as JSON text, when JSON holds it exactly (see resultAsJson). */
  | { readonly id: number; readonly json: string }
  | { readonly id: number; readonly error: SerializedError };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: ErrorCode;
  readonly position?: EddyError['position'];
  readonly hint?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class OffThreadWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private heapMb = 0;

  run(module: string, name: string, args: readonly unknown[]): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, module, name, args } satisfies TaskRequest);
    });
  }

  private start(): Worker {
    const self = fileURLToPath(import.meta.url);
    // The same extension as this file: .js when built, .ts under the test runner's loader.
    const entry = path.join(path.dirname(self), `off-thread-worker${path.extname(self)}`);
    this.heapMb = workerHeapMb;
    const worker = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb, stackSizeMb: 1 } });
    worker.unref();
    worker.on('message', (reply: TaskReply) => this.settle(reply));
    worker.on('error', (e) => this.fail(worker, e));
    worker.on('exit', (code) => this.fail(worker, new Error(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: TaskReply): void {
    const task = this.pending.get(reply.id);
    if (!task) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) task.reject(revive(reply.error));
    else if ('json' in reply) task.resolve(JSON.parse(reply.json));
    else task.resolve(reply.result);
  }

  private fail(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const outOfMemory = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const error = outOfMemory
      ? new EddyError('LIMIT_EXCEEDED', `the statement needs more than the parser's ${this.heapMb} MB of memory`, { hint: 'split it into smaller statements' })
      : new EddyError('INTERNAL', `the parser's worker thread failed: ${e.message}`, { cause: e });
    for (const task of this.pending.values()) task.reject(error);
    this.pending.clear();
    void worker.terminate();
  }
}

let shared: OffThreadWorker | null = null;

/**
 * `fn`, the export `name` of the module at `moduleUrl` (its import.meta.url), as an async function that
 * runs on the worker when `size(...args)` reaches OFF_THREAD_MIN_CHARS and here otherwise.
 */
export function offThreadAbove<A extends unknown[], R>(
  moduleUrl: string,
  name: string,
  fn: (...args: A) => R,
  size: (...args: A) => number,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    if (size(...args) < OFF_THREAD_MIN_CHARS) return fn(...args);
    shared ??= new OffThreadWorker();
    return (await shared.run(moduleUrl, name, args)) as R;
  };
}

/**
 * The result as JSON text when JSON keeps it exactly (no undefined, -0, non-finite number, bigint
 * or Date in it), else null. Rebuilding a large parse tree from JSON costs the receiving thread about a
 * fifth of what structured clone does (a 4 MB IN list: ~170 ms instead of ~950 ms, in one piece).
 */
export function resultAsJson(result: unknown): string | null {
  let exact = true;
  const json = JSON.stringify(result, function (this: Record<string, unknown>, key: string, value: unknown) {
    if (value === undefined || typeof value === 'bigint' || (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) || this[key] instanceof Date) {
      exact = false;
    }
    return typeof value === 'bigint' ? null : value;
  });
  return exact && json !== undefined ? json : null;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof EddyError) return { name: e.name, message: e.message, code: e.code, position: e.position, hint: e.hint };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** The error as the caller would have seen it had the function run on its own thread. */
function revive(e: SerializedError): Error {
  if (e.code !== undefined) return new EddyError(e.code, e.message, { position: e.position, hint: e.hint });
  const kinds: Record<string, ErrorConstructor> = { RangeError, TypeError, SyntaxError };
  const error = new (kinds[e.name] ?? Error)(e.message);
  if (!(e.name in kinds)) error.name = e.name;
  return error;
}
