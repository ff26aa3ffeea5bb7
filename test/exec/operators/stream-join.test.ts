import t from 'tap';
import { Database } from '../../../src/duck/index.js';
import { quoteIdent } from '../../../src/duck/quote.js';
import { COMPACT_EVERY, streamJoinRule } from '../../../src/exec/operators/stream-join.js';
import type { IncrementalNode, StreamJoinOp } from '../../../src/plan/incremental/nodes.js';
import { field, loadDelta, readDelta } from '../../support/changelog.js';

const leftFields = [field('a', 'BIGINT'), field('x', 'VARCHAR')];
const rightFields = [field('b', 'BIGINT'), field('y', 'VARCHAR')];
const scan = (id: string, fields: typeof leftFields, changelog: 'append-only' | 'retracting'): IncrementalNode =>
  ({ kind: 'source_scan', id, source: id, columns: fields.map((f) => f.name), fields, changelog, state: [], lateRowsColumn: null, weighted: false, columnsRead: null });

t.test('a stream-stream join emits each match once, whichever side arrives first, and retracts', async (t) => {
  const node: StreamJoinOp = {
    kind: 'stream_join', id: 'op3', left: scan('op1', leftFields, 'retracting'), right: scan('op2', rightFields, 'append-only'),
    joinType: 'inner', condition: '"a" = "b"', timeBound: null, slackMicros: { left: 0, right: 0 }, gridMicros: { left: null, right: null }, fields: [...leftFields, ...rightFields], changelog: 'retracting', state: [], leftTable: 'op3_left', rightTable: 'op3_right',
  };
  let batchId = 0;
  const names = () => ({ inputs: ['dl', 'dr'], output: 'dout', state: (s: string) => `main.${quoteIdent(s)}`, scratch: (s: string) => quoteIdent(`t_${s}`), watermark: { current: null, previous: undefined }, batchId });
  const conn = await (await Database.open(':memory:')).connect();
  await conn.runAll(streamJoinRule.createState(node, names()));
  await conn.runAll(streamJoinRule.setup(node, names()));
  const step = async (l: string, r: string): Promise<string> => {
    await loadDelta(conn, 'dl', leftFields, l);
    await loadDelta(conn, 'dr', rightFields, r);
    await conn.runAll(streamJoinRule.step(node, names()));
    batchId++;
    return readDelta(conn, 'dout', node.fields);
  };
  t.equal(await step('+ 1 l1', ''), '', 'no partner yet');
  t.equal(await step('', '+ 1 r1\n+ 2 r2'), '+ 1 l1 1 r1', 'the right side finds the stored left row');
  t.equal(await step('+ 2 l2', '+ 2 r3'), '+ 2 l2 2 r2\n+ 2 l2 2 r3', 'both sides in one batch');
  t.equal(await step('- 1 l1', ''), '- 1 l1 1 r1', 'a retraction retracts its matches');
  const stored = async (): Promise<number> => Number(await conn.scalar('SELECT count(*) FROM main.op3_left'));
  t.equal(await stored(), 3, 'the retraction is stored as a row of weight -1 beside the row it retracts');
  t.equal(await step('', '+ 1 r4'), '', 'the retracted row and its retraction meet a new partner and cancel: nothing emitted');
  while (batchId % COMPACT_EVERY !== COMPACT_EVERY - 1) await step('', '');
  await step('', '');
  t.equal(await stored(), 1, `every ${COMPACT_EVERY} batches the retracting side is consolidated`);
  t.equal(await step('', '+ 2 r5'), '+ 2 l2 2 r5', 'what remains joins as before');
});
