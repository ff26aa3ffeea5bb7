// A FUSE file system mirroring a directory, whose storage can be made to fail while processes hold
// files open on it: what a disk going read-only under a running server looks like, which a tmpfs
// cannot show (remounting read-only is refused while files are open for writing). Run as
//   node fault-fs.mjs <backing dir> <mount point> <mode file>
// The mode file holds one word, read at every request:
//   rw           everything passes through
//   ro           every change (write, create, truncate, rename, remove, fsync) fails with EROFS
//   header-fsync the fsync that follows a write to a database file's headers (its first 12 KiB: the
//                last step of a checkpoint) fails with EIO, although the write went through
// Plain JavaScript on purpose: it runs in a child process of its own (a blocking loop on /dev/fuse),
// and starting the TypeScript loader there would take seconds.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const [backing, mountPoint, modeFile] = process.argv.slice(2);
const E = { NOENT: -2, IO: -5, INVAL: -22, ROFS: -30, NOSYS: -38, EXIST: -17 };
const nodes = new Map([[1n, backing]]); // nodeid -> real path
const ids = new Map([[backing, 1n]]);
let nextNode = 2n;
const files = new Map(); // fh -> fd
const headerWritten = new Set(); // fhs written in their first 12 KiB since their last fsync
let nextFh = 1n;

function mode() {
  try {
    return fs.readFileSync(modeFile, 'utf8').trim();
  } catch {
    return 'rw';
  }
}

function nodeFor(p) {
  let id = ids.get(p);
  if (id === undefined) {
    id = nextNode++;
    ids.set(p, id);
    nodes.set(id, p);
  }
  return id;
}

function errnoOf(e) {
  return typeof e?.errno === 'number' ? -Math.abs(e.errno) : E.IO;
}

function attr(st) {
  const b = Buffer.alloc(88);
  const sec = (ms) => BigInt(Math.floor(ms / 1000));
  const nsec = (ms) => Math.floor((ms % 1000) * 1e6);
  b.writeBigUInt64LE(BigInt(st.ino), 0);
  b.writeBigUInt64LE(BigInt(st.size), 8);
  b.writeBigUInt64LE(BigInt(st.blocks), 16);
  b.writeBigUInt64LE(sec(st.atimeMs), 24);
  b.writeBigUInt64LE(sec(st.mtimeMs), 32);
  b.writeBigUInt64LE(sec(st.ctimeMs), 40);
  b.writeUInt32LE(nsec(st.atimeMs), 48);
  b.writeUInt32LE(nsec(st.mtimeMs), 52);
  b.writeUInt32LE(nsec(st.ctimeMs), 56);
  b.writeUInt32LE(st.mode, 60);
  b.writeUInt32LE(st.nlink, 64);
  b.writeUInt32LE(st.uid, 68);
  b.writeUInt32LE(st.gid, 72);
  b.writeUInt32LE(st.rdev, 76);
  b.writeUInt32LE(st.blksize, 80);
  return b;
}

function entry(p) {
  const b = Buffer.alloc(40);
  b.writeBigUInt64LE(nodeFor(p), 0); // nodeid; generation, entry/attr validity 0: nothing cached
  return Buffer.concat([b, attr(fs.lstatSync(p))]);
}

function attrOut(p) {
  return Buffer.concat([Buffer.alloc(16), attr(fs.lstatSync(p))]);
}

function names(body, count) {
  const out = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = body.indexOf(0, at);
    out.push(body.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

function openOut(fd) {
  const b = Buffer.alloc(16);
  const fh = nextFh++;
  files.set(fh, fd);
  b.writeBigUInt64LE(fh, 0);
  return b;
}

function rename(from, to) {
  fs.renameSync(from, to);
  for (const [p, id] of [...ids]) {
    if (p === from || p.startsWith(from + '/')) {
      const moved = to + p.slice(from.length);
      ids.delete(p);
      ids.set(moved, id);
      nodes.set(id, moved);
    }
  }
}

const isWal = (p) => p.endsWith('.wal');
const WRITE_ACCESS = 3; // O_WRONLY | O_RDWR

/** The reply for one request: a Buffer (success), a negative errno, or null (no reply). */
function handle(opcode, nodeid, body) {
  const p = nodes.get(nodeid);
  const m = mode();
  const ro = m === 'ro';
  switch (opcode) {
    case 26: { // INIT
      const out = Buffer.alloc(64);
      out.writeUInt32LE(7, 0);
      out.writeUInt32LE(31, 4);
      out.writeUInt32LE(body.readUInt32LE(8), 8);
      out.writeUInt32LE(1 << 5, 12); // FUSE_BIG_WRITES
      out.writeUInt16LE(16, 16);
      out.writeUInt16LE(12, 18);
      out.writeUInt32LE(128 * 1024, 20);
      out.writeUInt32LE(1, 24);
      return out;
    }
    case 1: return entry(path.join(p, names(body, 1)[0])); // LOOKUP
    case 2: case 42: return null; // FORGET, BATCH_FORGET
    case 3: return attrOut(p); // GETATTR
    case 4: { // SETATTR
      const valid = body.readUInt32LE(0);
      if (valid & 8) { // size
        if (ro) return E.ROFS;
        fs.truncateSync(p, Number(body.readBigUInt64LE(16)));
      }
      if (valid & 1) {
        if (ro) return E.ROFS;
        fs.chmodSync(p, body.readUInt32LE(68) & 0o7777);
      }
      if (valid & (16 | 32)) {
        if (ro) return E.ROFS;
        try {
          const st = fs.lstatSync(p);
          fs.utimesSync(p, valid & 16 ? Number(body.readBigUInt64LE(32)) : st.atime, valid & 32 ? Number(body.readBigUInt64LE(40)) : st.mtime);
        } catch {
          // times are not what these tests are about
        }
      }
      return attrOut(p);
    }
    case 9: { // MKDIR
      if (ro) return E.ROFS;
      const child = path.join(p, names(body.subarray(8), 1)[0]);
      fs.mkdirSync(child, body.readUInt32LE(0) & 0o7777 & ~body.readUInt32LE(4));
      return entry(child);
    }
    case 10: case 11: { // UNLINK, RMDIR
      if (ro) return E.ROFS;
      const child = path.join(p, names(body, 1)[0]);
      if (opcode === 10) fs.unlinkSync(child);
      else fs.rmdirSync(child);
      ids.delete(child);
      return Buffer.alloc(0);
    }
    case 12: case 45: { // RENAME, RENAME2
      if (ro) return E.ROFS;
      const newdir = nodes.get(body.readBigUInt64LE(0));
      const skip = opcode === 12 ? 8 : 16;
      const flags = opcode === 45 ? body.readUInt32LE(8) : 0;
      const [from, to] = names(body.subarray(skip), 2);
      if (flags & ~1) return E.INVAL;
      if (flags & 1 && fs.existsSync(path.join(newdir, to))) return E.EXIST; // RENAME_NOREPLACE
      rename(path.join(p, from), path.join(newdir, to));
      return Buffer.alloc(0);
    }
    case 14: { // OPEN
      const flags = body.readUInt32LE(0);
      if (ro && flags & WRITE_ACCESS) return E.ROFS;
      return openOut(fs.openSync(p, flags & WRITE_ACCESS));
    }
    case 35: { // CREATE
      if (ro) return E.ROFS;
      const flags = body.readUInt32LE(0);
      const child = path.join(p, names(body.subarray(16), 1)[0]);
      const fd = fs.openSync(child, (flags & WRITE_ACCESS) | fs.constants.O_CREAT | (flags & fs.constants.O_EXCL), body.readUInt32LE(4) & 0o7777 & ~body.readUInt32LE(8));
      return Buffer.concat([entry(child), openOut(fd)]);
    }
    case 15: { // READ
      const fd = files.get(body.readBigUInt64LE(0));
      const out = Buffer.alloc(body.readUInt32LE(16));
      const n = fs.readSync(fd, out, 0, out.length, Number(body.readBigUInt64LE(8)));
      return out.subarray(0, n);
    }
    case 16: { // WRITE
      if (ro) return E.ROFS;
      const fh = body.readBigUInt64LE(0);
      const offset = Number(body.readBigUInt64LE(8));
      const size = body.readUInt32LE(16);
      const n = fs.writeSync(files.get(fh), body, 40, size, offset);
      if (offset < 12 * 1024 && !isWal(p)) headerWritten.add(fh);
      const out = Buffer.alloc(8);
      out.writeUInt32LE(n, 0);
      return out;
    }
    case 17: { // STATFS
      const s = fs.statfsSync(backing);
      const out = Buffer.alloc(80);
      out.writeBigUInt64LE(BigInt(s.blocks), 0);
      out.writeBigUInt64LE(BigInt(s.bfree), 8);
      out.writeBigUInt64LE(BigInt(s.bavail), 16);
      out.writeBigUInt64LE(BigInt(s.files), 24);
      out.writeBigUInt64LE(BigInt(s.ffree), 32);
      out.writeUInt32LE(s.bsize, 40);
      out.writeUInt32LE(255, 44);
      out.writeUInt32LE(s.bsize, 48);
      return out;
    }
    case 18: { // RELEASE
      const fh = body.readBigUInt64LE(0);
      const fd = files.get(fh);
      files.delete(fh);
      headerWritten.delete(fh);
      if (fd !== undefined) fs.closeSync(fd);
      return Buffer.alloc(0);
    }
    case 20: { // FSYNC
      if (ro) return E.ROFS;
      const fh = body.readBigUInt64LE(0);
      const header = headerWritten.delete(fh);
      if (m === 'header-fsync' && header) return E.IO;
      const fd = files.get(fh);
      if (fd !== undefined) fs.fsyncSync(fd);
      return Buffer.alloc(0);
    }
    case 25: case 29: case 50: return Buffer.alloc(0); // FLUSH, RELEASEDIR, SYNCFS
    case 30: return ro ? E.ROFS : Buffer.alloc(0); // FSYNCDIR
    case 27: return Buffer.alloc(16); // OPENDIR: listed by path
    case 28: { // READDIR
      const offset = Number(body.readBigUInt64LE(8));
      const size = body.readUInt32LE(16);
      const list = [['.', 4], ['..', 4], ...fs.readdirSync(p, { withFileTypes: true }).map((d) => [d.name, d.isDirectory() ? 4 : d.isSymbolicLink() ? 10 : 8])];
      const parts = [];
      let used = 0;
      for (let i = offset; i < list.length; i++) {
        const name = Buffer.from(list[i][0]);
        const len = 24 + name.length;
        const padded = (len + 7) & ~7;
        if (used + padded > size) break;
        const d = Buffer.alloc(padded);
        d.writeBigUInt64LE(BigInt(i + 1), 0); // ino: not used by the kernel here, only non-zero
        d.writeBigUInt64LE(BigInt(i + 1), 8);
        d.writeUInt32LE(name.length, 16);
        d.writeUInt32LE(list[i][1], 20);
        name.copy(d, 24);
        parts.push(d);
        used += padded;
      }
      return Buffer.concat(parts);
    }
    case 34: return ro && body.readUInt32LE(0) & 2 ? E.ROFS : Buffer.alloc(0); // ACCESS
    case 36: return null; // INTERRUPT: the request it names is answered anyway
    case 38: process.exit(0); // DESTROY
    default: return E.NOSYS; // xattrs, locks (the kernel keeps them), fallocate, lseek, ...
  }
}

const dev = fs.openSync('/dev/fuse', 'r+');
const mounted = spawnSync('mount', ['-i', '-t', 'fuse', '-o', 'fd=3,rootmode=40000,user_id=0,group_id=0,allow_other', 'eddy-fault-fs', mountPoint], {
  stdio: ['ignore', 'inherit', 'inherit', dev],
});
if (mounted.status !== 0) process.exit(2);
process.stdout.write('mounted\n');

const buf = Buffer.alloc(1024 * 1024 + 4096);
const header = Buffer.alloc(16);
for (;;) {
  let n;
  try {
    n = fs.readSync(dev, buf, 0, buf.length, null);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'EINTR' || e.code === 'EAGAIN') continue;
    process.exit(0); // ENODEV: unmounted
  }
  const opcode = buf.readUInt32LE(4);
  const unique = buf.readBigUInt64LE(8);
  const nodeid = buf.readBigUInt64LE(16);
  const body = buf.subarray(40, n);
  let reply;
  try {
    reply = handle(opcode, nodeid, body);
  } catch (e) {
    reply = errnoOf(e);
  }
  if (reply === null) continue;
  const payload = typeof reply === 'number' ? Buffer.alloc(0) : reply;
  header.writeUInt32LE(16 + payload.length, 0);
  header.writeInt32LE(typeof reply === 'number' ? reply : 0, 4);
  header.writeBigUInt64LE(unique, 8);
  try {
    fs.writeSync(dev, payload.length > 0 ? Buffer.concat([header, payload]) : header);
  } catch {
    // the request was interrupted meanwhile
  }
}
