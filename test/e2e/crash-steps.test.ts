/**
 * Kill the process at every step of the micro-batch protocol (EDDY_FAULT), restarting the same data
 * directory after each crash, and compare with a run that never crashed: the materialized view and
 * the sink's output hold every row exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FAULT_STEPS } from '../../src/util/fault.js';
import { builtEngineMissing, mergeByBatch, resultOf, runChild, sinkBatches, sortedRows, type ChildRun } from '../support/crash-runs.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-crash-steps-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

t.test('a crash at every protocol step loses and duplicates nothing', { skip: builtEngineMissing() }, async (t) => {
  const reference = await runChild(join(root, 'reference'));
  t.equal(reference.code, 0, reference.stderr);
  const expectedView = resultOf(reference);
  const expectedSink = sortedRows(sinkBatches(reference));
  t.ok(expectedView && expectedView.length > 100, 'the reference view has rows');
  t.ok(expectedSink.length > 50, 'the reference sink printed rows');
  t.ok(sinkBatches(reference).size >= 12, 'the workload runs in many batches');

  const dataDir = join(root, 'crashed');
  const runs: ChildRun[] = [];
  // One crash per step, each at a later batch of the sink, each restart resuming the previous crash's
  // leftovers. The faults name the sink: with `*` whichever query reached the step first died, and
  // when the view reached after-deliver first no batch was printed twice. The view dies wherever it
  // is at each kill (crash-random.test.ts kills at random moments too).
  for (const [i, step] of FAULT_STEPS.entries()) {
    const run = await runChild(dataDir, { EDDY_FAULT: `big:${step}:${2 * i + 1}` });
    t.equal(run.signal, 'SIGKILL', `killed at ${step} of batch ${2 * i + 1}: ${run.stderr}`);
    t.equal(resultOf(run), null, 'the crashed run did not finish');
    runs.push(run);
  }
  const final = await runChild(dataDir);
  t.equal(final.code, 0, final.stderr);
  runs.push(final);

  t.same(resultOf(final), expectedView, 'the materialized view equals the never-crashed run');
  t.same(sortedRows(mergeByBatch(runs)), expectedSink, 'the sink delivered every row once, keyed by batch');
  // Kills land between steps, so every printed batch is whole: a redelivery repeats it exactly.
  const seen = new Map<number, string[]>();
  let redeliveries = 0;
  for (const run of runs) {
    for (const [batch, lines] of sinkBatches(run)) {
      const earlier = seen.get(batch);
      if (earlier) {
        redeliveries++;
        t.same(lines, earlier, `batch ${batch} redelivered with the same rows`);
      }
      seen.set(batch, lines);
    }
  }
  t.ok(redeliveries > 0, 'some batch was redelivered after a crash between commit and commits/N');
});
