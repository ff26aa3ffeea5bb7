import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file so that a crash leaves either the old content or the new, never a torn file:
 * write a temporary file, rename it into place. `durable` (the default) also fsyncs the file before
 * the rename and the directory after it, so that the new content survives a power loss; without it
 * a crash may leave the old content (or no file), which callers that can redo the write accept.
 */
export async function writeFileAtomic(path: string, content: string, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable ?? true;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(content);
    if (durable) await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  if (!durable) return;
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export async function writeJsonAtomic(path: string, value: unknown, options: { durable?: boolean } = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', options);
}

/**
 * writeJsonAtomic without fsyncs (a crash may leave the old content or no file), done with
 * synchronous calls: for a small file a batch waits for anyway (the commit log). Its four calls take
 * ~0.4 ms so, against ~1.1 ms as promises, each of which is a round trip through libuv's thread pool
 * (measured on the 2-vCPU VM, docs/BENCHMARKS.md).
 */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(value, null, 2) + '\n');
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a JSON file, or undefined when it does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
