/**
 * The data-directory lock: it names its owner by pid, start time and boot id, so that a restart after
 * kill -9 takes it over even when the dead owner's pid now belongs to an unrelated process, while a
 * running Eddy keeps it. Lock files of the earlier format (the pid alone) are judged by the pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { DataDirLock, LOCK_FILE } from '../../src/checkpoint/data-dir-lock.js';
import { currentBootId, processStartTicks } from '../../src/checkpoint/process-identity.js';
import { Engine } from '../../src/engine/index.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-lock-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => mkdtempSync(join(root, `d${dirs++}-`));
const lockOf = (dir: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
const hasProc = existsSync('/proc/self/stat') && currentBootId() !== null;

/** A live process that is not Eddy, killed when the test ends. */
function unrelatedProcess(t: Test): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  return child;
}

t.test('the lock names this process by pid, start time and boot id, and is removed on release', async (t) => {
  const dir = freshDir();
  const lock = DataDirLock.acquire(dir);
  t.same(lockOf(dir), { pid: process.pid, start: processStartTicks(process.pid), boot: currentBootId() });
  if (hasProc) t.match(lockOf(dir), { start: Number, boot: /^[0-9a-f-]{36}$/ }, 'on Linux both are known');
  lock.release();
  t.notOk(existsSync(join(dir, LOCK_FILE)));
});

t.test('an old-format lock (the pid alone) whose process is dead is taken over', async (t) => {
  const dir = freshDir();
  const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
  writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
  const engine = await Engine.open({ dataDir: dir });
  t.equal(lockOf(dir).pid, process.pid);
  await engine.close();
  t.notOk(existsSync(join(dir, LOCK_FILE)), 'closing the engine releases it');
});

t.test('an old-format lock whose pid is alive is still refused, as before', async (t) => {
  const dir = freshDir();
  const owner = unrelatedProcess(t);
  writeFileSync(join(dir, LOCK_FILE), `${owner.pid}\n`);
  await t.rejects(Engine.open({ dataDir: dir }), { code: 'OBJECT_IN_USE', message: new RegExp(`in use by another Eddy process \\(pid ${owner.pid}\\)`) });
  t.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(owner.pid), 'the owner keeps its lock');
});

t.test('a lock naming a live unrelated process (a reused pid) is taken over', { skip: !hasProc && 'needs /proc' }, async (t) => {
  const other = unrelatedProcess(t);
  const start = processStartTicks(other.pid!)!;
  t.ok(start > 0, 'sleep is running');
  const cases = {
    'a wrong start time': { pid: other.pid, start: start + 1234, boot: currentBootId() },
    'no start time': { pid: other.pid, boot: currentBootId() },
    'a previous boot': { pid: other.pid, start, boot: '00000000-0000-4000-8000-000000000000' },
  };
  for (const [what, recorded] of Object.entries(cases)) {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), `${JSON.stringify(recorded)}\n`);
    const lock = DataDirLock.acquire(dir);
    t.equal(lockOf(dir).pid, process.pid, `${what}: the lock is taken over`);
    lock.release();
  }
  t.equal(other.exitCode, null, 'the unrelated process was left alone');
});

t.test('a lock held by a running Eddy process is refused; after kill -9 it is taken over', { skip: !hasProc && 'needs /proc' }, async (t) => {
  const dir = freshDir();
  // The built lock in a child that takes it and waits (a crash test's way of running Eddy).
  const module = resolve('dist/src/checkpoint/data-dir-lock.js');
  const child = spawn(process.execPath, ['--input-type=module', '-e',
    `const { DataDirLock } = await import(${JSON.stringify(module)}); DataDirLock.acquire(${JSON.stringify(dir)}); console.log('locked'); setTimeout(() => {}, 30000);`,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && done());
    child.on('exit', (code) => fail(new Error(`the child exited (${code}) before taking the lock`)));
  });
  t.same(lockOf(dir), { pid: child.pid, start: processStartTicks(child.pid!), boot: currentBootId() });
  await t.rejects(Engine.open({ dataDir: dir }), { code: 'OBJECT_IN_USE', sqlstate: '55006', message: new RegExp(`in use by another Eddy process \\(pid ${child.pid}\\)`), hint: /delete .*eddy\.lock/ });
  t.throws(() => DataDirLock.acquire(dir), { code: 'OBJECT_IN_USE' });

  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
  const engine = await Engine.open({ dataDir: dir });
  t.equal(lockOf(dir).pid, process.pid, 'the restart after kill -9 takes the lock over');
  await engine.close();
});
