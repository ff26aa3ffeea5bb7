import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { makeDir } from '../../src/util/make-dir.js';
import { cannotMountFuse, mountFaultFs } from '../support/fault-fs.js';

t.test('makes every missing level, and is quiet when the directory exists', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-mkdir-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const deep = path.join(root, 'a', 'b', 'c');
  await makeDir(deep);
  t.ok(fs.statSync(deep).isDirectory());
  await makeDir(deep);
  fs.writeFileSync(path.join(root, 'file'), 'x');
  await t.rejects(makeDir(path.join(root, 'file', 'd')), { code: 'ENOTDIR' }, 'a file in the way is named as such');
});

t.test('a read-only file system is reported as EROFS, where recursive mkdir says ENOENT', { skip: cannotMountFuse() }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-mkdir-ro-'));
  const disk = await mountFaultFs(path.join(root, 'backing'), path.join(root, 'fs'));
  t.teardown(async () => {
    await disk.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });
  fs.mkdirSync(path.join(disk.dir, 'out'));
  disk.setMode('ro');
  const target = path.join(disk.dir, 'out', '_tmp', 'run-3');
  await t.rejects(mkdir(target, { recursive: true }), { code: 'ENOENT' }, "Node's own answer hides the cause (why makeDir exists)");
  await t.rejects(makeDir(target), { code: 'EROFS' });
  await t.rejects(makeDir(path.join(disk.dir, 'out', 'x')), { code: 'EROFS' }, 'one missing level too');
});
