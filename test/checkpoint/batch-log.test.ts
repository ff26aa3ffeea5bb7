import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { commitLog, offsetLog } from '../../src/checkpoint/batch-log.js';

function tempDir(t: Pick<Test, 'teardown'>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-batch-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('offsets and commits entries read back whole, with no temporary file left behind', async (t) => {
  const dir = tempDir(t);
  const offsets = offsetLog(dir, 'q');
  const commits = commitLog(dir, 'q');
  for (let id = 0; id < 3; id++) {
    await offsets.write(id, { batchId: id, sources: { s: { start: id, end: id + 1 } }, watermark: null, timestamp: 'now' });
    await commits.write(id, { batchId: id, timestamp: 'now', outputRows: id * 10 });
  }
  t.same(await offsets.read(2), { batchId: 2, sources: { s: { start: 2, end: 3 } }, watermark: null, timestamp: 'now' });
  t.same(await commits.read(1), { batchId: 1, timestamp: 'now', outputRows: 10 });
  t.equal(await commits.read(7), undefined, 'an entry never written');
  t.same(readdirSync(commits.dir).sort(), ['0.json', '1.json', '2.json']);
  t.same(readdirSync(offsets.dir).sort(), ['0.json', '1.json', '2.json']);
});

t.test('retention keeps the newest entries, listing the directory only once', async (t) => {
  const dir = tempDir(t);
  const commits = commitLog(dir, 'q');
  for (let id = 0; id < 10; id++) {
    await commits.write(id, { batchId: id, timestamp: 'now', outputRows: 0 });
    await commits.retain(3, id);
  }
  t.same(await commits.batchIds(), [7, 8, 9]);
});
