import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDir } from '../util/make-dir.js';

/** The file an atomic write fills before renaming it into place. */
const tmpPath = (path: string): string => `${path}.tmp-${process.pid}`;
const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/**
 * Writes a JSON file so that a crash leaves either the old content or the new, never a torn file,
 * and so that the new content survives a power loss: a temporary file, fsynced, renamed into place,
 * then the directory fsynced.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const dir = dirname(path);
  await makeDir(dir);
  const tmp = tmpPath(path);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(jsonText(value));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * writeJsonAtomic without fsyncs (a crash may leave the old content or no file, which a caller that
 * can redo the write accepts), done with synchronous calls: for a small file a batch waits for
 * anyway (the commit log). Its four calls take ~0.4 ms so, against ~1.1 ms as promises, each of
 * which is a round trip through libuv's thread pool (measured on the 2-vCPU VM, docs/BENCHMARKS.md).
 */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpPath(path);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, jsonText(value));
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
