/**
 * Whether a file can be read to its end, checked before its format reads it. DuckDB reads a gzip or
 * zstd stream that stops early as if it ended there (a file cut off in a copy loses its tail without
 * an error), so compressed files are checked here: gzip by inflating it (zlib checks the length and
 * CRC of every member), zstd by walking its frames' block headers. A file that is gone, cannot be
 * opened or does not decompress is reported with where it went wrong; the format's own errors (a
 * Parquet footer, a JSON document) come later, from DuckDB.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** A file a batch cannot read: gone since it was listed, or unreadable (and why, and where). */
export interface FileFault {
  readonly reason: 'missing' | 'unreadable';
  readonly message: string;
}

const CHUNK = 1 << 20;

/** Null when `file` exists, opens, and (if compressed) decompresses to its end. */
export async function checkFile(file: string): Promise<FileFault | null> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return { reason: 'unreadable', message: 'not a regular file' };
    size = s.size;
  } catch (e) {
    return ioFault(e);
  }
  const name = file.toLowerCase();
  if (name.endsWith('.gz') || name.endsWith('.gzip')) return checkGzip(file, size);
  if (name.endsWith('.zst')) return checkZstd(file, size);
  return null;
}

function ioFault(e: unknown): FileFault {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { reason: 'missing', message: 'the file is gone' };
  return { reason: 'unreadable', message: `cannot open it: ${code ?? (e as Error).message}` };
}

async function checkGzip(file: string, size: number): Promise<FileFault | null> {
  const gunzip = createGunzip({ chunkSize: CHUNK });
  try {
    await pipeline(createReadStream(file, { highWaterMark: CHUNK }), gunzip, new Writable({ write: (_chunk, _enc, done) => done() }));
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') return ioFault(e);
    if (err.code === 'Z_BUF_ERROR') return { reason: 'unreadable', message: `truncated: its gzip stream stops at byte ${size}, before its end` };
    if (/incorrect header check/.test(err.message) && gunzip.bytesWritten === 0) return { reason: 'unreadable', message: 'not in gzip format (no gzip header at byte 0)' };
    return { reason: 'unreadable', message: `corrupt gzip data near byte ${gunzip.bytesWritten}: ${err.message}` };
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

/** Walks the frames (block headers only): the last block of each frame, and its checksum, must fit. */
async function checkZstd(file: string, size: number): Promise<FileFault | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    return ioFault(e);
  }
  try {
    const buf = Buffer.alloc(18);
    const read = async (at: number, n: number): Promise<Buffer | null> => {
      if (at + n > size) return null;
      await handle.read(buf, 0, n, at);
      return buf;
    };
    const truncated = (at: number): FileFault => ({ reason: 'unreadable', message: `truncated: its zstd frame needs more than its ${size} bytes (at byte ${at})` });
    let at = 0;
    while (at < size) {
      const head = await read(at, 4);
      if (head === null) return truncated(at);
      const magic = head.readUInt32LE(0);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        // a skippable frame: its size follows
        const len = await read(at + 4, 4);
        if (len === null) return truncated(at);
        at += 8 + len.readUInt32LE(0);
        if (at > size) return truncated(size);
        continue;
      }
      if (magic !== ZSTD_MAGIC) return { reason: 'unreadable', message: at === 0 ? 'not in zstd format (no zstd frame at byte 0)' : `corrupt zstd data at byte ${at}` };
      const d = await read(at + 4, 1);
      if (d === null) return truncated(at);
      const descriptor = d[0]!;
      const singleSegment = (descriptor >> 5) & 1;
      const checksum = (descriptor >> 2) & 1;
      const fcs = [singleSegment, 2, 4, 8][descriptor >> 6]!;
      at += 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]! + fcs;
      for (;;) {
        const block = await read(at, 3);
        if (block === null) return truncated(at);
        const header = block.readUIntLE(0, 3);
        const type = (header >> 1) & 3;
        if (type === 3) return { reason: 'unreadable', message: `corrupt zstd data at byte ${at}` };
        at += 3 + (type === 1 ? 1 : header >> 3);
        if (at > size) return truncated(size);
        if (header & 1) break;
      }
      at += checksum * 4;
      if (at > size) return truncated(size);
    }
    return null;
  } catch (e) {
    return { reason: 'unreadable', message: `cannot read it: ${(e as Error).message}` };
  } finally {
    await handle.close();
  }
}
