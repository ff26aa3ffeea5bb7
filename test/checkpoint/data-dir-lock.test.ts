import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DataDirLock, LOCK_FILE } from '../../src/checkpoint/data-dir-lock.js';
import { Engine } from '../../src/engine/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-lock-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('the lock holds this pid and is removed on release', async (t) => {
  const lock = DataDirLock.acquire(dir);
  t.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  lock.release();
  t.notOk(existsSync(join(dir, LOCK_FILE)));
});

t.test('a stale lock (its process is dead) is taken over', async (t) => {
  const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
  writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
  const engine = await Engine.open({ dataDir: dir });
  t.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  await engine.close();
  t.notOk(existsSync(join(dir, LOCK_FILE)), 'closing the engine releases it');
});

t.test('a live owner is a clear error', async (t) => {
  const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  t.teardown(() => owner.kill('SIGKILL'));
  writeFileSync(join(dir, LOCK_FILE), `${owner.pid}\n`);
  await t.rejects(Engine.open({ dataDir: dir }), { code: 'OBJECT_IN_USE', message: new RegExp(`in use by another Eddy process \\(pid ${owner.pid}\\)`) });
  t.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(owner.pid), 'the owner keeps its lock');
});
