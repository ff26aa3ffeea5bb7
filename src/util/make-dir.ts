import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that reports the real reason a directory cannot be made. Node's recursive mkdir
 * answers a refused mkdir (EROFS, ENOSPC, EACCES) by stat-ing the path and reporting the stat's
 * ENOENT instead, which hides a storage fault behind "no such file or directory" (seen on a file
 * system gone read-only: the file sink's query failed instead of waiting for the storage). So a
 * failed recursive mkdir is retried one level at a time, and the first level's own error is thrown.
 */
export async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await makeEachLevel(path);
  }
}

async function makeEachLevel(path: string): Promise<void> {
  const parent = dirname(path);
  try {
    await mkdir(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || parent === path) throw e;
    await makeEachLevel(parent);
    try {
      await mkdir(path);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}
