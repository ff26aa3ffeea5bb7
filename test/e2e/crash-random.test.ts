/**
 * kill -9 at random moments, restart, repeat; then compare with a run that never crashed: the
 * materialized view and the sink's output (keyed by batch) hold every row exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { builtEngineMissing, mergeByBatch, resultOf, runChild, sinkBatches, sortedRows, type ChildRun } from '../support/crash-runs.js';

const KILLS = 6;
const root = mkdtempSync(join(tmpdir(), 'eddy-crash-random-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

t.test('random kill -9 over many runs loses and duplicates nothing', { skip: builtEngineMissing() }, async (t) => {
  const started = performance.now();
  const reference = await runChild(join(root, 'reference'));
  t.equal(reference.code, 0, reference.stderr);
  // Kills land within the time a whole run takes on this machine (fixed delays stopped landing once
  // the workload got faster: every run finished first and nothing was killed).
  const span = Math.max(200, 0.8 * (performance.now() - started));

  const dataDir = join(root, 'crashed');
  const runs: ChildRun[] = [];
  const delays: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const delay = 100 + Math.floor(Math.random() * (span - 100));
    delays.push(delay);
    const run = await runChild(dataDir, {}, delay);
    t.ok(run.signal === 'SIGKILL' || run.code === 0, `run ${i} was killed or finished (${run.stderr})`);
    runs.push(run);
  }
  t.ok(runs.some((r) => r.signal === 'SIGKILL'), 'some runs were killed (each restart took over the stale eddy.lock)');
  const final = await runChild(dataDir);
  t.equal(final.code, 0, `final run after kills at ${delays.join(', ')} ms: ${final.stderr}`);
  runs.push(final);

  t.same(resultOf(final), resultOf(reference), `the view equals the never-crashed run (kills at ${delays.join(', ')} ms)`);
  t.same(sortedRows(mergeByBatch(runs)), sortedRows(sinkBatches(reference)), 'the sink delivered every row once, keyed by batch');
});
